// Gallery card facts from a run's graph: the sampler nearest the saved image, its prompts through pass-throughs.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../nodes/engine/graph';
import { catalogMap } from '../../nodes/engine/validate';
import { getCatalog } from '../../nodes/registry';
import { workflowsDir } from '../paths';
import { imageParams } from './image-params';

const catalog = catalogMap(getCatalog());
const template = (name: string) => JSON.parse(fs.readFileSync(path.join(workflowsDir, name), 'utf8')) as Graph;

describe('imageParams', () => {
  it('reads the Text to image template: prompts, seed, sampler settings, checkpoint', () => {
    const g = template('txt2img.json');
    g.nodes.find((n) => n.id === 'sampler')!.params.seed = 1234;
    expect(imageParams(g, 'save', catalog)).toEqual({
      prompt: 'red circle on blue background', negative: '', seed: 1234, steps: 20, cfg: 7.5, sampler: 'euler',
      scheduler: 'normal', denoise: 1, checkpoint: 'sprites', loras: [],
    });
  });

  it('takes the sampler nearest the image, follows a prompt through a pass-through, lists LoRAs', () => {
    const g: Graph = {
      version: 1,
      nodes: [
        { id: 'ckpt', type: 'checkpoint_loader', typeVersion: 1, params: { ckpt_name: 'sprites' } },
        { id: 'lora', type: 'lora_loader', typeVersion: 1, params: { lora_name: 'palette.safetensors', strength_model: 0.6, strength_clip: 1 } },
        { id: 'pos', type: 'text_encoder', typeVersion: 1, params: { text: 'green square' } },
        { id: 'via', type: 'reroute', typeVersion: 1, params: {} },
        { id: 'neg', type: 'text_encoder', typeVersion: 1, params: { text: 'blurry' } },
        { id: 'base', type: 'sampler', typeVersion: 1, params: { seed: 1, steps: 30, cfg: 5, sampler: 'euler', scheduler: 'karras', denoise: 1 } },
        { id: 'ref', type: 'refiner', typeVersion: 1, params: { seed: 2, steps: 30, cfg: 6, sampler: 'heun', scheduler: 'normal', start_at: 0.8 } },
        { id: 'save', type: 'save_image', typeVersion: 1, params: {} },
      ],
      edges: [
        { from: { node: 'ckpt', output: 'model' }, to: { node: 'lora', input: 'model' } },
        { from: { node: 'lora', output: 'model' }, to: { node: 'base', input: 'model' } },
        { from: { node: 'pos', output: 'conditioning' }, to: { node: 'via', input: 'input' } },
        { from: { node: 'via', output: 'output' }, to: { node: 'ref', input: 'positive' } },
        { from: { node: 'neg', output: 'conditioning' }, to: { node: 'ref', input: 'negative' } },
        { from: { node: 'base', output: 'latent' }, to: { node: 'ref', input: 'latent' } },
        { from: { node: 'ref', output: 'latent' }, to: { node: 'save', input: 'images' } },
      ],
    };
    expect(imageParams(g, 'save', catalog)).toMatchObject({
      prompt: 'green square', negative: 'blurry', seed: 2, cfg: 6, sampler: 'heun', denoise: null,
      checkpoint: 'sprites', loras: [{ name: 'palette.safetensors', strength: 0.6 }],
    });
    // A bypassed refiner does not sample: the base sampler is the one that made the image.
    g.nodes.find((n) => n.id === 'ref')!.mode = 'bypass';
    expect(imageParams(g, 'save', catalog)).toMatchObject({ seed: 1, cfg: 5, sampler: 'euler', scheduler: 'karras', prompt: null });
  });

  it('says nothing it cannot read: an image with no sampler above it', () => {
    const g: Graph = {
      version: 1,
      nodes: [{ id: 'fill', type: 'solid_color', typeVersion: 1, params: { color: '#ff0000' } }, { id: 'save', type: 'save_image', typeVersion: 1, params: {} }],
      edges: [{ from: { node: 'fill', output: 'image' }, to: { node: 'save', input: 'images' } }],
    };
    expect(imageParams(g, 'save', catalog)).toEqual({
      prompt: null, negative: null, seed: null, steps: null, cfg: null, sampler: null, scheduler: null, denoise: null, checkpoint: null, loras: [],
    });
  });
});
