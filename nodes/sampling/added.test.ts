// Added conditioning through classifier-free guidance and batched runs: each row of a model call gets the pooled
// projection of its own run and side, and a call never mixes two Flux guidance values.
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../runtime/tensor';
import type { AddedConditioning } from '../values';
import { addedOf, addedRows } from './added';
import { guidedOutputs, type Denoiser } from './guidance';

interface Call { rows: number; pooled?: number[]; guidance?: number }

/** Records what each call received; outputs the pooled value of each row, so the CFG mix is visible. */
function recorder(maxBatch = 8): Denoiser & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    maxBatch, calls,
    async predict(sample: Tensor, _t: number, _context: Tensor, _signal?: AbortSignal, added?: AddedConditioning): Promise<Tensor> {
      const rows = sample.dims[0];
      calls.push({ rows, pooled: added?.pooled ? Array.from(added.pooled.data) : undefined, guidance: added?.guidance });
      const per = sample.data.length / rows;
      const data = new Float32Array(sample.data.length);
      for (let r = 0; r < rows; r++) data.fill(added?.pooled ? added.pooled.data[r] : 0, r * per, (r + 1) * per);
      return { data, dims: sample.dims };
    },
  };
}

const ctx: Tensor = { data: new Float32Array(4), dims: [1, 2, 2] };
const sample = (rows: number): Tensor => ({ data: new Float32Array(rows * 4), dims: [rows, 1, 2, 2] });
const pooled = (v: number): Tensor => ({ data: Float32Array.of(v), dims: [1, 1] });

describe('added conditioning through guidance', () => {
  it('batched CFG stacks [negative rows, positive rows] and mixes their outputs', async () => {
    const d = recorder();
    const [a, b] = await guidedOutputs(d, [
      { sample: sample(1), guidance: { positive: ctx, negative: ctx, cfg: 3, added: { positive: { pooled: pooled(10) }, negative: { pooled: pooled(1) } } } },
      { sample: sample(2), guidance: { positive: ctx, negative: ctx, cfg: 3, added: { positive: { pooled: pooled(20) }, negative: { pooled: pooled(2) } } } },
    ], 500);
    expect(d.calls).toEqual([{ rows: 6, pooled: [1, 2, 2, 10, 20, 20], guidance: undefined }]);
    expect(a.output[0]).toBe(1 + 3 * (10 - 1));
    expect(Array.from(b.output).every((v) => v === 2 + 3 * (20 - 2))).toBe(true);
  });

  it('cfg 1 sends only the positive side; different guidance on the two sides makes two calls', async () => {
    const one = recorder();
    await guidedOutputs(one, [{ sample: sample(1), guidance: { positive: ctx, negative: ctx, cfg: 1, added: { positive: { pooled: pooled(5), guidance: 4 }, negative: { pooled: pooled(6) } } } }], 500);
    expect(one.calls).toEqual([{ rows: 1, pooled: [5], guidance: 4 }]);
    const two = recorder();
    await guidedOutputs(two, [{ sample: sample(1), guidance: { positive: ctx, negative: ctx, cfg: 2, added: { positive: { pooled: pooled(5), guidance: 4 }, negative: { pooled: pooled(6) } } } }], 500);
    expect(two.calls).toEqual([{ rows: 1, pooled: [6], guidance: undefined }, { rows: 1, pooled: [5], guidance: 4 }]);
  });

  it('a CONDITIONING without pooled output or guidance adds nothing; rows are cut for smaller model batches', () => {
    expect(addedOf({ embeddings: ctx, prompt: '', tokens: [] })).toBeUndefined();
    expect(addedOf({ embeddings: ctx, pooled: pooled(1), guidance: 2, prompt: '', tokens: [] })).toEqual({ pooled: pooled(1), guidance: 2 });
    const stacked = { pooled: { data: Float32Array.of(1, 2, 3, 4), dims: [4, 1] }, guidance: 3 };
    expect(addedRows(stacked, 1, 2, 4)).toEqual({ pooled: { data: Float32Array.of(2, 3), dims: [2, 1] }, guidance: 3 });
  });
});
