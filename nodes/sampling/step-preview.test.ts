import { describe, expect, it } from 'vitest';
import type { PreviewFrame } from '../define';
import { SD15_LATENT_RGB } from '../models/latent-rgb';
import { previewStep, type StepPreview } from './step-preview';

// A batch of two 2-channel 1x2 latents: item 0 holds 0..3, item 1 holds 10..13.
function step(): StepPreview {
  const x0 = { data: new Float32Array([0, 1, 2, 3, 10, 11, 12, 13]), dims: [2, 2, 1, 2] };
  const input = { data: new Float32Array([4, 5, 6, 7, 14, 15, 16, 17]), dims: [2, 2, 1, 2] };
  return { step: 3, total: 10, sigma: 2.5, timestep: 700, x0, input, latentRgb: SD15_LATENT_RGB };
}

describe('previewStep', () => {
  it('hands the hook views of batch item 0 (no copy) and channel stats over the whole batch', () => {
    const frames: PreviewFrame[] = [];
    const s = step();
    previewStep({ wantsPreview: () => true, preview: (f) => frames.push(f) }, s);
    expect(frames).toHaveLength(1);
    const f = frames[0];
    expect([f.step, f.total, f.sigma, f.timestep, f.latentRgb]).toEqual([3, 10, 2.5, 700, SD15_LATENT_RGB]);
    expect(f.x0.dims).toEqual([1, 2, 1, 2]);
    expect([...f.x0.data]).toEqual([0, 1, 2, 3]);
    expect([...f.latent!.data]).toEqual([4, 5, 6, 7]);
    // Views of the sampler's arrays: a host copies what it keeps (nodes/engine/preview-stream.ts).
    expect([f.x0.data.buffer, f.latent!.data.buffer]).toEqual([s.x0.data.buffer, s.input.data.buffer]);
    // Channel 0 of the input over both items: 4, 5, 14, 15.
    expect(f.stats![0]).toMatchObject({ mean: 9.5, min: 4, max: 15 });
    expect(f.stats![1]).toMatchObject({ mean: 11.5, min: 6, max: 17 });
  });

  it('does nothing while nobody watches', () => {
    const frames: PreviewFrame[] = [];
    previewStep({ wantsPreview: () => false, preview: (f) => frames.push(f) }, step());
    previewStep({ preview: (f) => frames.push(f) }, step());
    expect(frames).toEqual([]);
  });
});
