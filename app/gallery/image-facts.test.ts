// The gallery's fact list: seed first, missing values as a dash, sampler and schedule together, LoRAs listed.
import { describe, expect, it } from 'vitest';
import { imageFacts, type GalleryImage } from './image-facts';

const image = (params: Partial<GalleryImage['params']>, extra: Partial<GalleryImage> = {}): GalleryImage => ({
  artifactId: 'a', url: '/api/artifacts/a', width: 256, height: 256, runId: 'r', workflowId: 'w', workflowName: 'circles',
  workflowVersion: 3, createdAt: new Date(0), myRating: null,
  params: { prompt: null, negative: null, seed: null, steps: null, cfg: null, sampler: null, scheduler: null, denoise: null, checkpoint: null, loras: [], ...params },
  ...extra,
});

describe('imageFacts', () => {
  it('lists seed, prompts and settings in order', () => {
    const facts = imageFacts(image({ seed: 42, prompt: 'red circle', negative: '', steps: 20, cfg: 7.5, sampler: 'euler', scheduler: 'karras', loras: [{ name: 'p.safetensors', strength: 0.5 }] }));
    expect(facts.map((f) => `${f.label}=${f.value}`)).toEqual([
      'seed=42', 'prompt=red circle', 'negative=—', 'steps=20', 'CFG=7.5', 'sampler=euler · karras', 'denoise=—',
      'checkpoint=—', 'LoRAs=p.safetensors (0.5)', 'size=256×256', 'workflow=circles v3',
    ]);
  });

  it('names an ad-hoc run as such', () => {
    expect(imageFacts(image({}, { workflowId: null, workflowName: null, workflowVersion: null })).at(-1)).toEqual({ label: 'workflow', value: 'ad-hoc graph' });
  });
});
