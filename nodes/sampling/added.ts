// Added conditioning (values.ts AddedConditioning) through guidance and batching: its rows always follow the
// context's rows, so stacking, tiling and splitting here mirror what guidance does to the hidden states.
import { concatBatch, type Tensor } from '../runtime/tensor';
import type { AddedConditioning } from '../values';

function rows(t: Tensor, start: number, n: number): Tensor {
  const width = t.data.length / t.dims[0];
  return { data: t.data.subarray(start * width, (start + n) * width), dims: [n, ...t.dims.slice(1)] };
}

function tileTensor(t: Tensor, b: number): Tensor {
  return t.dims[0] === b ? t : concatBatch(Array.from({ length: b }, () => t));
}

/** One conditioning's added rows repeated for a batch of `b` samples (a [1, …] row tiled, a [b, …] kept). */
export function tileAdded(a: AddedConditioning | undefined, b: number): AddedConditioning | undefined {
  if (!a) return undefined;
  return { ...a, pooled: a.pooled && tileTensor(a.pooled, b), timeIds: a.timeIds && tileTensor(a.timeIds, b) };
}

/**
 * Row blocks stacked in the given order (the order the contexts are stacked in). A field is kept only when every
 * block has it: a model that needs it then reports the missing part instead of getting rows of another prompt.
 */
export function concatAdded(parts: readonly (AddedConditioning | undefined)[]): AddedConditioning | undefined {
  if (parts.length === 0 || parts.some((p) => !p)) return undefined;
  const all = parts as AddedConditioning[];
  const out: AddedConditioning = {};
  if (all.every((p) => p.pooled)) out.pooled = concatBatch(all.map((p) => p.pooled!));
  if (all.every((p) => p.timeIds)) out.timeIds = concatBatch(all.map((p) => p.timeIds!));
  if (all[0].guidance !== undefined) out.guidance = all[0].guidance;
  return out.pooled || out.timeIds || out.guidance !== undefined ? out : undefined;
}

/** Rows start … start + n - 1 (a model call split to the session's batch limit); [1, …] rows are shared. */
export function sliceAdded(a: AddedConditioning | undefined, start: number, n: number): AddedConditioning | undefined {
  if (!a) return undefined;
  const pick = (t: Tensor | undefined) => t && (t.dims[0] === 1 ? tileTensor(t, n) : rows(t, start, n));
  return { ...a, pooled: pick(a.pooled), timeIds: pick(a.timeIds) };
}
