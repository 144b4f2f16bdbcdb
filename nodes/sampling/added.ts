// Added conditioning (pooled projections, Flux guidance) through guidance and batching: the rows of a
// stacked model call get the added conditioning of the run and side (positive/negative) they belong to.
import { batchItem, concatBatch, type Tensor } from '../runtime/tensor';
import type { AddedConditioning, ConditioningValue } from '../values';

/** What a CONDITIONING adds beside its hidden states; undefined when nothing. */
export function addedOf(c: ConditioningValue): AddedConditioning | undefined {
  if (!c.pooled && c.guidance === undefined) return undefined;
  return { ...(c.pooled ? { pooled: c.pooled } : {}), ...(c.guidance !== undefined ? { guidance: c.guidance } : {}) };
}

function tile(t: Tensor, b: number): Tensor {
  return t.dims[0] === b ? t : concatBatch(Array.from({ length: b }, () => batchItem(t, 0)));
}

/**
 * One call's added conditioning from its parts in batch order, each covering `rows` rows. Pooled tensors are
 * tiled to their rows and stacked (all parts must have one, or none); guidance is a single number per call, so
 * the parts must agree on it (callers split calls where they do not: `sameGuidance`).
 */
export function stackAdded(parts: { added?: AddedConditioning; rows: number }[]): AddedConditioning | undefined {
  const withPooled = parts.filter((p) => p.added?.pooled);
  const guidance = parts.find((p) => p.added?.guidance !== undefined)?.added?.guidance;
  if (!withPooled.length && guidance === undefined) return undefined;
  const out: AddedConditioning = {};
  if (withPooled.length === parts.length) out.pooled = concatBatch(parts.map((p) => tile(p.added!.pooled!, p.rows)));
  if (guidance !== undefined) out.guidance = guidance;
  return out;
}

export function sameGuidance(a?: AddedConditioning, b?: AddedConditioning): boolean {
  return a?.guidance === b?.guidance;
}

/** Rows [start, start + n) of a call's added conditioning (a model that takes fewer rows per run). */
export function addedRows(added: AddedConditioning | undefined, start: number, n: number, total: number): AddedConditioning | undefined {
  if (!added?.pooled || added.pooled.dims[0] === 1 || (start === 0 && n === total)) return added;
  return { ...added, pooled: concatBatch(Array.from({ length: n }, (_, i) => batchItem(added.pooled!, start + i))) };
}
