// Added conditioning (values.ts AddedConditioning: SDXL's pooled text embedding and time ids, SD3/Flux pooled
// projections, Flux guidance, each row's ControlNets) through guidance and batching: its rows always follow the
// context's rows, so stacking, tiling and splitting here mirror what guidance does to the hidden states.
import { concatBatch, type Tensor } from '../runtime/tensor';
import type { AddedConditioning, ConditioningValue, ControlRow } from '../values';

/** What a CONDITIONING adds beside its hidden states (pooled output, Flux guidance); undefined when nothing. */
export function addedOf(c: ConditioningValue): AddedConditioning | undefined {
  if (!c.pooled && c.guidance === undefined) return undefined;
  return { ...(c.pooled ? { pooled: c.pooled } : {}), ...(c.guidance !== undefined ? { guidance: c.guidance } : {}) };
}

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
  return { ...a, pooled: a.pooled && tileTensor(a.pooled, b), timeIds: a.timeIds && tileTensor(a.timeIds, b), control: a.control && tileControl(a.control, b) };
}

/** A one-row control list repeated for `b` sample rows, each row told its index (its hint image row). */
function tileControl(rows: readonly ControlRow[], b: number): readonly ControlRow[] {
  return rows.length === b ? rows : Array.from({ length: b }, (_, index) => ({ hints: rows[0].hints, index }));
}

/**
 * Row blocks stacked in the given order (the order the contexts are stacked in). A field is kept only when every
 * block has it: a model that needs it then reports the missing part instead of getting rows of another prompt.
 * Guidance is one number per call: callers split calls whose blocks differ in it (`sameGuidance`).
 */
export function concatAdded(parts: readonly (AddedConditioning | undefined)[]): AddedConditioning | undefined {
  if (parts.length === 0) return undefined;
  const out: AddedConditioning = {};
  if (parts.every((p) => p?.pooled)) out.pooled = concatBatch(parts.map((p) => p!.pooled!));
  if (parts.every((p) => p?.timeIds)) out.timeIds = concatBatch(parts.map((p) => p!.timeIds!));
  if (parts.every((p) => p?.control)) out.control = parts.flatMap((p) => p!.control!);
  const guidance = parts.find((p) => p?.guidance !== undefined)?.guidance;
  if (guidance !== undefined) out.guidance = guidance;
  return out.pooled || out.timeIds || out.control || out.guidance !== undefined ? out : undefined;
}

export function sameGuidance(a?: AddedConditioning, b?: AddedConditioning): boolean {
  return a?.guidance === b?.guidance;
}

/** Rows start … start + n - 1 (a model call split to the session's batch limit); [1, …] rows are shared. */
export function sliceAdded(a: AddedConditioning | undefined, start: number, n: number): AddedConditioning | undefined {
  if (!a) return undefined;
  const pick = (t: Tensor | undefined) => t && (t.dims[0] === 1 ? tileTensor(t, n) : rows(t, start, n));
  return { ...a, pooled: pick(a.pooled), timeIds: pick(a.timeIds), control: a.control && (a.control.length === 1 ? tileControl(a.control, n) : a.control.slice(start, start + n)) };
}
