// Inpainting arithmetic: the mask brought to latent size, and the per-step blend on the toy checkpoint's real loop.
import { describe, expect, it } from 'vitest';
import type { LoadedCheckpoint } from '../models/checkpoint';
import { withToyCheckpoint } from '../models/testing/toy-session';
import { sampleLatent, type SampleLatentOptions } from '../models/sampling-run';
import type { ConditioningValue, LatentValue } from '../values';
import type { SamplerStepState } from '../define';
import { createNoise } from './noise';
import { inpaintBlend, maskToLatent, NoiseMaskError } from './inpaint';
import { fromVe, sigmaAt } from './loop';
import { createScheduler } from './schedulers';

describe('maskToLatent (area average)', () => {
  it('averages each 8x8 block, so a 3 px stroke counts 3/8 in the cells it crosses', () => {
    const mask = new Float32Array(16 * 16);
    for (let y = 0; y < 16; y++) for (let x = 9; x < 12; x++) mask[y * 16 + x] = 1;
    expect(Array.from(maskToLatent({ data: mask, dims: [1, 1, 16, 16] }, 2, 2))).toEqual([0, 3 / 8, 0, 3 / 8]);
  });

  it('covers overlapping source ranges when sizes do not divide (10 -> 4: rows 0-2, 2-5, 5-7, 7-9)', () => {
    const mask = new Float32Array(10 * 10);
    for (let x = 0; x < 10; x++) mask[2 * 10 + x] = 1; // row 2 is read by cells 0 and 1
    const out = maskToLatent({ data: mask, dims: [1, 1, 10, 10] }, 4, 4);
    expect(out[0]).toBeCloseTo(1 / 3, 6);
    expect(out[4]).toBeCloseTo(1 / 3, 6);
    expect(out[8]).toBe(0);
  });

  it('refuses a mask with more than one channel, and a mask batch that fits neither 1 nor the latent', () => {
    expect(() => maskToLatent({ data: new Float32Array(2 * 64), dims: [1, 2, 8, 8] }, 1, 1)).toThrow(NoiseMaskError);
    const latent = { data: new Float32Array(3 * 4), dims: [3, 4, 1, 1] };
    expect(() => inpaintBlend({ data: new Float32Array(2 * 64), dims: [2, 1, 8, 8] }, latent, new Float32Array(12))).toThrow(/batch 2 .* batch 3/);
  });

  it('repeats a batch-1 mask over every item and channel', () => {
    const mask = { data: new Float32Array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), dims: [1, 1, 4, 4] };
    const b = inpaintBlend(mask, { data: new Float32Array(2 * 3 * 4), dims: [2, 3, 2, 2] }, new Float32Array(24));
    expect(Array.from(b.mask)).toEqual(Array.from({ length: 6 }, () => [0.5, 0.5, 0, 0]).flat());
  });
});

let ck: LoadedCheckpoint;
let red: ConditioningValue;
let empty: ConditioningValue;

withToyCheckpoint('stepflow-inpaint-', (t) => ({ ck, red, empty } = t));

const SEED = 7;
/** A source latent [1, 4, 4, 4] with distinct values, and a mask at image size (32x32) of a constant value. */
const source = (): LatentValue => ({ samples: { data: Float32Array.from({ length: 64 }, (_, i) => Math.sin(i) * 0.8), dims: [1, 4, 4, 4] } });
const constMask = (v: number) => ({ data: new Float32Array(32 * 32).fill(v), dims: [1, 1, 32, 32] });

function opts(sampler: string, latent: LatentValue, o: Partial<SampleLatentOptions> = {}): SampleLatentOptions {
  return {
    model: ck.unet, sampler, schedule: 'normal', steps: 8, cfg: 2.5, seed: SEED, noiseMode: 'stepflow',
    positive: red, negative: empty, latent, start: { kind: 'denoise', denoise: 1, startStep: 0 },
    endStep: 10000, returnLeftoverNoise: false, ...o,
  };
}

describe('the blend after each step', () => {
  for (const sampler of ['euler', 'euler_ancestral', 'ddim', 'dpmpp_2m']) {
    it(`${sampler}: mask 1 everywhere gives exactly the unmasked loop`, async () => {
      const plain = await sampleLatent(opts(sampler, source()));
      const masked = await sampleLatent(opts(sampler, { ...source(), noiseMask: constMask(1) }));
      expect(Array.from(masked.latent.samples.data)).toEqual(Array.from(plain.latent.samples.data));
    });

    it(`${sampler}: mask 0 everywhere leaves the source noised to the next step's sigma with the run's noise, then the clean source`, async () => {
      const seen: Float32Array[] = [];
      const hooks = { afterStep: async (s: SamplerStepState) => void seen.push(new Float32Array(s.latent.data)) };
      const r = await sampleLatent(opts(sampler, { ...source(), noiseMask: constMask(0) }, { hooks }));
      const scheduler = createScheduler(sampler, ck.unet.schedulerConfig, { schedule: 'normal' });
      scheduler.setTimesteps(8);
      const eps = createNoise(SEED).randn(64);
      const src = source().samples.data;
      expect(seen).toHaveLength(8);
      for (let k = 0; k < 7; k++) {
        const sigma = sigmaAt(scheduler, k + 1);
        expect(sigma).toBeGreaterThan(0);
        const expected = fromVe(scheduler, src.map((v, i) => v + sigma * eps[i]), sigma);
        expect(Array.from(seen[k])).toEqual(Array.from(expected));
      }
      expect(Array.from(r.latent.samples.data)).toEqual(Array.from(src));
    });
  }

  it('a half mask: the kept half ends on the source, the free half as the unmasked run left it', async () => {
    const half = constMask(0);
    for (let y = 0; y < 32; y++) half.data.fill(1, y * 32, y * 32 + 16);
    const plain = await sampleLatent(opts('euler', source()));
    const r = await sampleLatent(opts('euler', { ...source(), noiseMask: half }));
    const src = source().samples.data;
    for (let i = 0; i < 64; i++) {
      // The toy model denoises each value on its own, so the free half matches the unmasked run.
      if (i % 4 < 2) expect(r.latent.samples.data[i]).toBeCloseTo(plain.latent.samples.data[i], 5);
      else expect(r.latent.samples.data[i]).toBe(src[i]);
    }
    expect(plain.latent.samples.data[3]).not.toBeCloseTo(src[3], 2);
  });
});
