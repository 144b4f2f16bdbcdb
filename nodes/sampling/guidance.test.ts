import { describe, expect, it } from 'vitest';
import { ContextMemo, guidedOutput, guidedOutputs, type Denoiser } from './guidance';
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

describe('ContextMemo', () => {
  it('hands the model the same stacked context every step while the runs stay, and restacks when one leaves', async () => {
    const seen: Tensor[] = [];
    const d: Denoiser = {
      maxBatch: 16,
      async predict(s: Tensor, _t: number, context: Tensor) {
        seen.push(context);
        return { data: new Float32Array(s.data.length).fill(context.data[0]), dims: s.dims };
      },
    };
    const a = { positive: ctx(3), negative: ctx(1), cfg: 2 };
    const b = { positive: ctx(5), negative: ctx(1), cfg: 2 };
    const memo = new ContextMemo();
    const both = [{ sample, guidance: a }, { sample, guidance: b }];
    const first = await guidedOutputs(d, both, 10, undefined, memo);
    const second = await guidedOutputs(d, both, 9, undefined, memo);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[0].dims).toEqual([4, 2, 1]);
    // Rows: the uncond halves first, then the positives, in the items' order.
    expect(Array.from(seen[0].data)).toEqual([0.5, 0.5, 0.5, 0.5, 1.5, 1.5, 2.5, 2.5]);
    expect(second.map((r) => Array.from(r.output))).toEqual(first.map((r) => Array.from(r.output)));
    await guidedOutputs(d, [{ sample, guidance: b }], 8, undefined, memo);
    expect(seen[2]).not.toBe(seen[0]);
    expect(Array.from(seen[2].data)).toEqual([0.5, 0.5, 2.5, 2.5]);
  });
});
