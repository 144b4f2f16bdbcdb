import { describe, expect, it } from 'vitest';
import type { LoadedCheckpoint } from './checkpoint';
import { withToyCheckpoint } from './testing/toy-session';
import { latentToRgb } from './latent-rgb';
import { sampleLatent, type SampleLatentOptions } from './sampling-run';
import type { ConditioningValue, LatentValue } from '../values';
import type { PreviewFrame, SamplerStepState } from '../define';

let ck: LoadedCheckpoint;
let red: ConditioningValue;
let empty: ConditioningValue;
const zeros = (): LatentValue => ({ samples: { data: new Float32Array(4 * 4 * 4), dims: [1, 4, 4, 4] } });

withToyCheckpoint('stepflow-run-', (t) => ({ ck, red, empty } = t));

function opts(o: Partial<SampleLatentOptions> = {}): SampleLatentOptions {
  return {
    model: ck.unet, sampler: 'ddim', schedule: 'normal', steps: 10, cfg: 2.5, seed: 7, noiseMode: 'stepflow',
    positive: red, negative: empty, latent: zeros(), start: { kind: 'denoise', denoise: 1, startStep: 0 },
    endStep: 10000, returnLeftoverNoise: false, ...o,
  };
}

/** Channel means of a [1, 4, h, w] latent. */
function means(l: LatentValue): number[] {
  const plane = l.samples.data.length / 4;
  return [0, 1, 2, 3].map((c) => l.samples.data.subarray(c * plane, (c + 1) * plane).reduce((a, v) => a + v, 0) / plane);
}

describe('sampleLatent on the point-mass toy model', () => {
  // The toy U-Net's x0 is y_neg + cfg * (y_pos - y_neg) = 2.5 * (0.4, 0, 0, 0) at every step.
  for (const sampler of ['ddim', 'euler', 'euler_ancestral', 'dpmpp_2m', 'heun', 'pndm']) {
    it(`${sampler} lands on the guided target`, async () => {
      const r = await sampleLatent(opts({ sampler }));
      const m = means(r.latent);
      // DDIM/PNDM stop at alpha_bar[0] (diffusers' set_alpha_to_one = false): ~3 % noise remains per value.
      expect(m[0]).toBeCloseTo(1.0, 1);
      for (const c of [1, 2, 3]) expect(Math.abs(m[c])).toBeLessThan(0.05);
      // Heun evaluates twice per step but once on the last; diffusers' PLMS repeats its second timestep.
      expect(r.evaluations).toBe(sampler === 'heun' ? 19 : sampler === 'pndm' ? 11 : 10);
      expect(r.latent.leftoverNoise).toBeUndefined();
    });
  }

  it('calls the hooks once per evaluation with 0-based steps and previews of the predicted x0', async () => {
    const before: SamplerStepState[] = [];
    const after: number[] = [];
    const progress: [number, number][] = [];
    const frames: PreviewFrame[] = [];
    await sampleLatent(opts({
      hooks: {
        beforeStep: async (s) => void before.push(s),
        afterStep: async (s) => void after.push(s.step),
        progress: (s, t) => progress.push([s, t]),
        wantsPreview: () => true,
        // The frame's arrays are the loop's: copied, as a host does.
        preview: (f) => frames.push({ ...f, x0: { data: f.x0.data.slice(), dims: f.x0.dims }, latent: f.latent && { data: f.latent.data.slice(), dims: f.latent.dims } }),
      },
    }));
    expect(before.map((s) => s.step)).toEqual([...Array(10).keys()]);
    expect(after).toEqual([...Array(10).keys()]);
    expect(progress).toEqual([...Array(10).keys()].map((i) => [i + 1, 10]));
    expect(before[0].timestep).toBe(901);
    expect(before[0].sigma).toBeGreaterThan(before[9].sigma!);
    expect(frames).toHaveLength(10);
    // Frames carry raw latents (batch item 0) and how to draw them.
    expect(frames[0].x0.dims).toEqual([1, 4, 4, 4]);
    expect(frames[0].latent!.dims).toEqual([1, 4, 4, 4]);
    expect(frames[0].x0.data).toHaveLength(64);
    expect(frames[9].stats).toHaveLength(4);
    const image = latentToRgb(frames[9].x0, frames[9].latentRgb);
    expect(image.dims).toEqual([1, 3, 32, 32]);
    // x0 = (1, 0, 0, 0) scaled latent -> R = 1 * 1 + 0.5 clamps to 1, G = B = 0.5
    expect(image.data[0]).toBeCloseTo(1, 3);
    expect(image.data[32 * 32]).toBeCloseTo(0.5, 3);
  });

  it('stops at a cancelled signal', async () => {
    const ac = new AbortController();
    let steps = 0;
    await expect(sampleLatent(opts({
      hooks: { signal: ac.signal, progress: (s) => { steps = s; if (s === 3) ac.abort('stop'); } },
    }))).rejects.toThrow(/stop/);
    expect(steps).toBe(3);
  });

  for (const sampler of ['ddim', 'euler']) {
    it(`${sampler}: a run split with leftover noise equals the full run`, async () => {
      const full = await sampleLatent(opts({ sampler }));
      const first = await sampleLatent(opts({ sampler, endStep: 6, returnLeftoverNoise: true }));
      expect(first.latent.leftoverNoise).toBe(true);
      expect(first.latent.schedule).toEqual({ steps: 10, endStep: 6 });
      expect(first.evaluations).toBe(6);
      const second = await sampleLatent(opts({ sampler, latent: first.latent, seed: 999 }));
      expect(second.startIndex).toBe(6);
      expect(second.evaluations).toBe(4);
      for (let i = 0; i < full.latent.samples.data.length; i++) {
        expect(second.latent.samples.data[i]).toBeCloseTo(full.latent.samples.data[i], 4);
      }
    });
  }

  it('continues a DDIM hand-off with a different sampler from the matching noise level', async () => {
    const first = await sampleLatent(opts({ endStep: 7, returnLeftoverNoise: true }));
    const second = await sampleLatent(opts({ sampler: 'euler', latent: first.latent, start: { kind: 'fraction', startAt: 0.7 } }));
    expect(second.evaluations).toBe(3);
    expect(means(second.latent)[0]).toBeCloseTo(1.0, 2);
  });

  it('returns the clean estimate when it ends early without leftover noise', async () => {
    const r = await sampleLatent(opts({ endStep: 3 }));
    expect(r.latent.leftoverNoise).toBeUndefined();
    expect(means(r.latent)[0]).toBeCloseTo(1.0, 4);
  });

  it('img2img: denoise 0.6 of 20 steps runs the last 12 from the noised input; 0 returns it unchanged', async () => {
    const input = zeros();
    input.samples.data.fill(0.3);
    const r = await sampleLatent(opts({ steps: 20, latent: input, start: { kind: 'denoise', denoise: 0.6, startStep: 0 } }));
    expect(r.startIndex).toBe(8);
    expect(r.evaluations).toBe(12);
    expect(means(r.latent)[0]).toBeCloseTo(1.0, 1);
    const none = await sampleLatent(opts({ latent: input, start: { kind: 'denoise', denoise: 0, startStep: 0 } }));
    expect(none.evaluations).toBe(0);
    expect(Array.from(none.latent.samples.data)).toEqual(Array.from(input.samples.data));
  });

  it('start_step skips the first steps and wins over a weaker denoise', async () => {
    const input = zeros();
    input.samples.data.fill(0.3);
    const r = await sampleLatent(opts({ latent: input, start: { kind: 'denoise', denoise: 0.9, startStep: 4 } }));
    expect([r.startIndex, r.evaluations]).toEqual([4, 6]);
    const strong = await sampleLatent(opts({ latent: input, start: { kind: 'denoise', denoise: 0.3, startStep: 4 } }));
    expect([strong.startIndex, strong.evaluations]).toEqual([7, 3]);
  });

  it('same seed gives the same latent, another seed another one', async () => {
    const a = await sampleLatent(opts({ endStep: 5, returnLeftoverNoise: true }));
    const b = await sampleLatent(opts({ endStep: 5, returnLeftoverNoise: true }));
    const c = await sampleLatent(opts({ endStep: 5, returnLeftoverNoise: true, seed: 8 }));
    expect(Array.from(a.latent.samples.data)).toEqual(Array.from(b.latent.samples.data));
    expect(Array.from(a.latent.samples.data)).not.toEqual(Array.from(c.latent.samples.data));
  });

  it('adaptive: stops once the predicted x0 stops changing', async () => {
    const r = await sampleLatent(opts({ steps: 20, adaptive: { tolerance: 1e-3, patience: 3 } }));
    expect(r.stoppedEarly).toBe(true);
    expect(r.evaluations).toBe(4);
    expect(means(r.latent)[0]).toBeCloseTo(1.0, 4);
  });

  it('refuses a schedule a timestep sampler cannot follow', async () => {
    await expect(sampleLatent(opts({ schedule: 'karras' }))).rejects.toThrow(/"normal" for ddim/);
  });
});
