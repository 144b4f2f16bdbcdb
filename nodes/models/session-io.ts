// Reading what an ONNX session expects: which input plays which role, its batch limit, its element type.
import type { TensorInfo } from '../runtime/onnx';
import { ModelFormatError } from './errors';

/** The fewest inputs/outputs a session can have; ModelSession satisfies it. */
export interface SessionIo {
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
}

const list = (infos: readonly TensorInfo[]) => infos.map((i) => `${i.name} ${i.type} [${i.dims.join(', ')}]`).join('; ');

/** The first input named one of `names` (export tools disagree on spelling); a clear error otherwise. */
export function requireInput(io: SessionIo, names: readonly string[], file: string, role: string): TensorInfo {
  const found = findByName(io.inputs, names);
  if (!found) {
    throw new ModelFormatError(file, `no ${role} input (looked for ${names.join(', ')}); the model has ${list(io.inputs)}`);
  }
  return found;
}

export function optionalInput(io: SessionIo, names: readonly string[]): TensorInfo | undefined {
  return findByName(io.inputs, names);
}

/** The output named one of `names`, else the first output. */
export function pickOutput(io: SessionIo, names: readonly string[], file: string): TensorInfo {
  const found = findByName(io.outputs, names) ?? io.outputs[0];
  if (!found) throw new ModelFormatError(file, 'the model has no outputs');
  return found;
}

function findByName(infos: readonly TensorInfo[], names: readonly string[]): TensorInfo | undefined {
  for (const n of names) {
    const hit = infos.find((i) => i.name === n);
    if (hit) return hit;
  }
  return undefined;
}

/** Largest batch the input accepts: its fixed first dimension, or unlimited when symbolic. */
export function batchLimit(info: TensorInfo): number {
  const d = info.dims[0];
  return typeof d === 'number' && d > 0 ? d : Number.POSITIVE_INFINITY;
}

export function isIntegerType(info: TensorInfo): boolean {
  return info.type === 'int64' || info.type === 'int32' || info.type === 'int16' || info.type === 'uint8';
}

/** Fixed spatial size [h, w] of an NCHW input, when the export pinned it. */
export function fixedSpatial(info: TensorInfo): [number, number] | undefined {
  const [, , h, w] = info.dims;
  return typeof h === 'number' && typeof w === 'number' && h > 0 && w > 0 ? [h, w] : undefined;
}

/** Fixed channel count of an NCHW input, when the export pinned it. */
export function fixedChannels(info: TensorInfo): number | undefined {
  const c = info.dims[1];
  return typeof c === 'number' && c > 0 ? c : undefined;
}
