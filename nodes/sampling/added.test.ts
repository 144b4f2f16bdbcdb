// Added conditioning (pooled embedding, time ids, Flux guidance) through CFG and dynamic batching: every model call
// gets the added rows in exactly the order of its context rows, whether the runs share a call or not, and a call
// never mixes two Flux guidance values.
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../runtime/tensor';
import type { AddedConditioning } from '../values';
import { addedOf, concatAdded, sliceAdded, tileAdded } from './added';
import { guidedOutput, guidedOutputs, type Denoiser, type Guidance } from './guidance';

/** Records, per call, each row's context value and its pooled and time-id values; output = context + pooled + time id. */
function recorder(maxBatch: number) {
  const rows: { context: number; pooled: number; timeId: number }[][] = [];
  const d: Denoiser = {
    maxBatch,
    async predict(sample: Tensor, _t: number, context: Tensor, _signal?: AbortSignal, added?: AddedConditioning) {
      const b = sample.dims[0];
      const call = Array.from({ length: b }, (_, i) => ({
        context: context.data[(context.dims[0] === 1 ? 0 : i) * (context.data.length / context.dims[0])],
        pooled: added!.pooled!.data[i * added!.pooled!.dims[1]],
        timeId: added!.timeIds!.data[i * added!.timeIds!.dims[1] + 4],
      }));
      rows.push(call);
      const per = sample.data.length / b;
      const out = new Float32Array(sample.data.length);
      call.forEach((r, i) => out.fill(r.context + r.pooled + r.timeId, i * per, (i + 1) * per));
      return { data: out, dims: sample.dims };
    },
  };
  return { d, rows };
}

const t = (values: number[], width: number): Tensor => ({ data: Float32Array.from(values), dims: [values.length / width, width] });
/** A prompt whose context is `c`, pooled embedding `p` (width 2) and aesthetic-score time id `s` (refiner layout). */
function prompt(c: number, p: number, s: number) {
  return { context: { data: Float32Array.of(c, c), dims: [1, 2, 1] }, added: { pooled: t([p, p], 2), timeIds: t([64, 64, 0, 0, s], 5) } };
}
function guidance(pos: ReturnType<typeof prompt>, neg: ReturnType<typeof prompt>, cfg = 2): Guidance {
  return { positive: pos.context, negative: neg.context, cfg, added: { positive: pos.added, negative: neg.added } };
}
const sample = (b: number): Tensor => ({ data: new Float32Array(b), dims: [b, 1, 1, 1] });

describe('added conditioning through guidance', () => {
  it('rides with its context: uncond rows then cond rows, each run in order, tiled over a run\'s batch', async () => {
    const { d, rows } = recorder(8);
    const a = guidance(prompt(1, 10, 6), prompt(2, 20, 2.5));
    const b = guidance(prompt(3, 30, 6), prompt(4, 40, 2.5));
    const out = await guidedOutputs(d, [{ sample: sample(2), guidance: a }, { sample: sample(1), guidance: b }], 500);
    expect(rows).toEqual([[
      { context: 2, pooled: 20, timeId: 2.5 }, { context: 2, pooled: 20, timeId: 2.5 }, { context: 4, pooled: 40, timeId: 2.5 },
      { context: 1, pooled: 10, timeId: 6 }, { context: 1, pooled: 10, timeId: 6 }, { context: 3, pooled: 30, timeId: 6 },
    ]]);
    // uncond + 2 (cond - uncond) per run: a = 24.5 + 2 (17 - 24.5) = 9.5, b = 46.5 + 2 (39 - 46.5) = 31.5.
    expect(out.map((o) => Array.from(o.output))).toEqual([[9.5, 9.5], [31.5]]);
    // The same runs one by one give the same numbers: batching does not move a row's added conditioning.
    expect(Array.from((await guidedOutput(d, sample(2), 500, a)).output)).toEqual([9.5, 9.5]);
    expect(Array.from((await guidedOutput(d, sample(1), 500, b)).output)).toEqual([31.5]);
  });

  it('fixed-batch models and cfg 1 get the rows of the prompt they run', async () => {
    const fixed = recorder(1);
    await guidedOutput(fixed.d, sample(1), 500, guidance(prompt(1, 10, 6), prompt(2, 20, 2.5)));
    expect(fixed.rows).toEqual([[{ context: 2, pooled: 20, timeId: 2.5 }], [{ context: 1, pooled: 10, timeId: 6 }]]);
    const single = recorder(4);
    await guidedOutput(single.d, sample(1), 500, guidance(prompt(1, 10, 6), prompt(2, 20, 2.5), 1));
    expect(single.rows).toEqual([[{ context: 1, pooled: 10, timeId: 6 }]]);
  });

  it('tile, concat and slice keep rows; a field missing in one block is dropped, not filled from another', () => {
    const one = { pooled: t([1, 2], 2), timeIds: t([7], 1) };
    expect(tileAdded(one, 3)!.pooled!.dims).toEqual([3, 2]);
    const both = concatAdded([tileAdded(one, 2), { pooled: t([5, 6], 2), timeIds: t([8], 1) }])!;
    expect(Array.from(both.pooled!.data)).toEqual([1, 2, 1, 2, 5, 6]);
    expect(Array.from(sliceAdded(both, 1, 2)!.timeIds!.data)).toEqual([7, 8]);
    expect(Array.from(sliceAdded(one, 5, 2)!.pooled!.data)).toEqual([1, 2, 1, 2]);
    expect(concatAdded([one, { timeIds: t([8], 1) }])).toEqual({ timeIds: t([7, 8], 1) });
    expect(concatAdded([one, undefined])).toBeUndefined();
  });
});

interface Call { rows: number; pooled?: number[]; guidance?: number }

/** Records what each call received; outputs the pooled value of each row, so the CFG mix is visible. */
function pooledRecorder(maxBatch = 8): Denoiser & { calls: Call[] } {
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

const flatCtx: Tensor = { data: new Float32Array(4), dims: [1, 2, 2] };
const rowsSample = (rows: number): Tensor => ({ data: new Float32Array(rows * 4), dims: [rows, 1, 2, 2] });
const pooled = (v: number): Tensor => ({ data: Float32Array.of(v), dims: [1, 1] });

describe('pooled projections and Flux guidance through guidance', () => {
  it('batched CFG stacks [negative rows, positive rows] and mixes their outputs', async () => {
    const d = pooledRecorder();
    const [a, b] = await guidedOutputs(d, [
      { sample: rowsSample(1), guidance: { positive: flatCtx, negative: flatCtx, cfg: 3, added: { positive: { pooled: pooled(10) }, negative: { pooled: pooled(1) } } } },
      { sample: rowsSample(2), guidance: { positive: flatCtx, negative: flatCtx, cfg: 3, added: { positive: { pooled: pooled(20) }, negative: { pooled: pooled(2) } } } },
    ], 500);
    expect(d.calls).toEqual([{ rows: 6, pooled: [1, 2, 2, 10, 20, 20], guidance: undefined }]);
    expect(a.output[0]).toBe(1 + 3 * (10 - 1));
    expect(Array.from(b.output).every((v) => v === 2 + 3 * (20 - 2))).toBe(true);
  });

  it('cfg 1 sends only the positive side; different guidance on the two sides makes two calls', async () => {
    const one = pooledRecorder();
    await guidedOutputs(one, [{ sample: rowsSample(1), guidance: { positive: flatCtx, negative: flatCtx, cfg: 1, added: { positive: { pooled: pooled(5), guidance: 4 }, negative: { pooled: pooled(6) } } } }], 500);
    expect(one.calls).toEqual([{ rows: 1, pooled: [5], guidance: 4 }]);
    const two = pooledRecorder();
    await guidedOutputs(two, [{ sample: rowsSample(1), guidance: { positive: flatCtx, negative: flatCtx, cfg: 2, added: { positive: { pooled: pooled(5), guidance: 4 }, negative: { pooled: pooled(6) } } } }], 500);
    expect(two.calls).toEqual([{ rows: 1, pooled: [6], guidance: undefined }, { rows: 1, pooled: [5], guidance: 4 }]);
  });

  it('a CONDITIONING without pooled output or guidance adds nothing; rows are cut for smaller model batches', () => {
    expect(addedOf({ embeddings: flatCtx, prompt: '', tokens: [] })).toBeUndefined();
    expect(addedOf({ embeddings: flatCtx, pooled: pooled(1), guidance: 2, prompt: '', tokens: [] })).toEqual({ pooled: pooled(1), guidance: 2 });
    const stacked = { pooled: { data: Float32Array.of(1, 2, 3, 4), dims: [4, 1] }, guidance: 3 };
    expect(sliceAdded(stacked, 1, 2)).toEqual({ pooled: { data: Float32Array.of(2, 3), dims: [2, 1] }, guidance: 3 });
  });
});

describe('ControlNet rows in the added conditioning', () => {
  const hint = (strength: number) => ({ strength }) as unknown as NonNullable<AddedConditioning['control']>[number]['hints'][number];
  const [a, b] = [hint(1), hint(2)];

  it('a one-row list is tiled with each row\'s index, stacked in block order, and sliced with the call', () => {
    const tiled = tileAdded({ control: [{ hints: [a], index: 0 }] }, 3)!;
    expect(tiled.control).toEqual([{ hints: [a], index: 0 }, { hints: [a], index: 1 }, { hints: [a], index: 2 }]);
    const stacked = concatAdded([tiled, tileAdded({ control: [{ hints: [b], index: 0 }] }, 2)])!;
    expect(stacked.control!.map((r) => [r.hints[0].strength, r.index])).toEqual([[1, 0], [1, 1], [1, 2], [2, 0], [2, 1]]);
    expect(sliceAdded(stacked, 2, 2)!.control!.map((r) => [r.hints[0].strength, r.index])).toEqual([[1, 2], [2, 0]]);
    // A block without rows drops the field, as for pooled outputs (the ControlNet denoiser then refuses the call; loop
    // keys keep controlled and plain runs apart, so a batch never mixes them).
    expect(concatAdded([tiled, undefined])).toBeUndefined();
  });
});
