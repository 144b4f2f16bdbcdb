import { describe, expect, it } from 'vitest';
import { guidedOutput, type Denoiser } from './guidance';
import type { Tensor } from '../runtime/tensor';

/** Output = sample + sum of the context (per batch item), and a log of the batches it saw. */
function fake(maxBatch: number) {
  const calls: { batch: number; contexts: number[] }[] = [];
  const d: Denoiser = {
    maxBatch,
    async predict(sample: Tensor, _t: number, context: Tensor) {
      const b = sample.dims[0];
      const per = sample.data.length / b;
      const ctxPer = context.data.length / context.dims[0];
      const sums = Array.from({ length: context.dims[0] }, (_, i) => context.data.subarray(i * ctxPer, (i + 1) * ctxPer).reduce((a, v) => a + v, 0));
      calls.push({ batch: b, contexts: sums });
      const out = new Float32Array(sample.data.length);
      for (let i = 0; i < b; i++) for (let k = 0; k < per; k++) out[i * per + k] = sample.data[i * per + k] + sums[context.dims[0] === 1 ? 0 : i];
      return { data: out, dims: sample.dims };
    },
  };
  return { d, calls };
}

const ctx = (v: number, tokens = 2): Tensor => ({ data: new Float32Array(tokens).fill(v / tokens), dims: [1, tokens, 1] });
const sample: Tensor = { data: Float32Array.from([1, 2]), dims: [1, 2, 1, 1] };

describe('classifier-free guidance', () => {
  it('batches negative and positive in one call when the model takes batch 2', async () => {
    const { d, calls } = fake(2);
    const r = await guidedOutput(d, sample, 10, { positive: ctx(3), negative: ctx(1), cfg: 7.5 });
    expect(calls).toEqual([{ batch: 2, contexts: [1, 3] }]);
    // uncond = x + 1, cond = x + 3: uncond + 7.5 * 2 = x + 16
    expect(Array.from(r.output)).toEqual([17, 18]);
    expect(r.calls).toBe(1);
  });

  it('makes two calls for a fixed-batch model or prompts of different lengths', async () => {
    const fixed = fake(1);
    const r = await guidedOutput(fixed.d, sample, 10, { positive: ctx(3), negative: ctx(1), cfg: 2 });
    expect(fixed.calls.map((c) => c.batch)).toEqual([1, 1]);
    expect(Array.from(r.output)).toEqual([6, 7]);
    const uneven = fake(8);
    await guidedOutput(uneven.d, sample, 10, { positive: ctx(3, 4), negative: ctx(1, 2), cfg: 2 });
    expect(uneven.calls.length).toBe(2);
  });

  it('skips the negative prompt at cfg 1', async () => {
    const { d, calls } = fake(2);
    const r = await guidedOutput(d, sample, 10, { positive: ctx(3), negative: ctx(1), cfg: 1 });
    expect(calls).toEqual([{ batch: 1, contexts: [3] }]);
    expect(Array.from(r.output)).toEqual([4, 5]);
  });

  it('tiles a shared prompt over a latent batch', async () => {
    const { d, calls } = fake(16);
    const two: Tensor = { data: Float32Array.from([1, 2, 10, 20]), dims: [2, 2, 1, 1] };
    const r = await guidedOutput(d, two, 10, { positive: ctx(3), negative: ctx(1), cfg: 3 });
    expect(calls).toEqual([{ batch: 4, contexts: [1, 1, 3, 3] }]);
    expect(Array.from(r.output)).toEqual([8, 9, 17, 27]);
  });
});
