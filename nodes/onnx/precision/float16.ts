// float32 -> float16 conversion of an ONNX graph: weights and activations in half precision, for GPUs
// (tensor cores, half the memory traffic). Nodes that must stay float32 (timestep sin/cos, Resize scales)
// get Cast nodes at their borders; graph inputs/outputs become float16 unless asked to stay float32.
import { getInitializerFloat32 } from '../model-io';
import { ELEM_TYPES, onnx, type ElemType, type INodeProto, type ModelProto } from '../proto';
import { float32ToFloat16 } from '../../runtime/float16';
import { elementTypes } from './element-types';
import { GraphEdit, intAttr } from './graph-edit';

export interface Float16Options {
  /** Keep float32 graph inputs/outputs (Cast nodes inside the graph). Default false: they become float16. */
  keepIoTypes?: boolean;
  /** Nodes to leave in float32, e.g. a timestep embedding whose sin/cos arguments reach 1000. */
  keepFloat32?: (node: INodeProto) => boolean;
  /** Folder of the model's external data, when its weights live in a side file. */
  baseDir?: string;
}

export interface Float16Report {
  /** Nodes computing in float16 / left in float32. */
  halfNodes: number;
  float32Nodes: number;
  /** Cast nodes added at float16/float32 borders. */
  casts: number;
  /** Weights whose magnitude exceeded float16's range and were clamped to ±65504. */
  clamped: string[];
}

const FLOAT = ELEM_TYPES.float32.code;
const FLOAT16 = ELEM_TYPES.float16.code;
const HALF_MAX = 65504;

/** Inputs the ONNX spec types as tensor(float) whatever the data type (Resize's roi and scales). */
const FLOAT32_SLOTS: Record<string, readonly number[]> = { Resize: [1, 2], Upsample: [1] };

export function convertToFloat16(source: ModelProto, opts: Float16Options = {}): { model: ModelProto; report: Float16Report } {
  const types = elementTypes(source);
  const edit = new GraphEdit(source);
  const g = edit.model.graph!;
  const keep = (n: INodeProto) => opts.keepFloat32?.(n) ?? false;
  const report: Float16Report = { halfNodes: 0, float32Nodes: 0, casts: 0, clamped: [] };
  const isFloat32 = (name: string) => types.get(name) === 'float32';
  const wantsFloat32 = (n: INodeProto, slot: number) => keep(n) || (FLOAT32_SLOTS[n.opType ?? ''] ?? []).includes(slot);

  // The type each originally-float32 tensor has after conversion.
  const final = new Map<string, ElemType>();
  const initializers = new Set((g.initializer ?? []).map((t) => t.name ?? ''));
  // Per initializer: does each use want float32? Kept float32 only when every use does.
  const uses = new Map<string, boolean[]>();
  for (const n of edit.originalNodes) {
    (n.input ?? []).forEach((input, slot) => initializers.has(input) && uses.set(input, [...(uses.get(input) ?? []), wantsFloat32(n, slot)]));
  }
  for (const name of initializers) {
    if (!isFloat32(name)) continue;
    const wants = uses.get(name) ?? [];
    final.set(name, wants.length > 0 && wants.every(Boolean) ? 'float32' : 'float16');
  }
  for (const i of g.input ?? []) {
    if (i.name && !initializers.has(i.name) && isFloat32(i.name)) final.set(i.name, opts.keepIoTypes ? 'float32' : 'float16');
  }
  for (const n of edit.originalNodes) {
    for (const o of n.output ?? []) if (o && isFloat32(o)) final.set(o, keep(n) ? 'float32' : 'float16');
  }

  const casts = new Map<string, string>();
  const castTo = (name: string, to: ElemType): string => {
    const key = `${name}\0${to}`;
    let out = casts.get(key);
    if (!out) {
      [out] = edit.add('Cast', [name], { name: `${name}/Cast_${to}`, attrs: [intAttr('to', ELEM_TYPES[to].code)] });
      casts.set(key, out);
      report.casts++;
    }
    return out;
  };

  // Graph inputs become float16 (keepIoTypes: they stay float32 and their half readers get a Cast below).
  for (const i of g.input ?? []) {
    const name = i.name ?? '';
    if (initializers.has(name) || !isFloat32(name)) continue;
    if (final.get(name) === 'float16') i.type!.tensorType!.elemType = FLOAT16;
  }

  for (const n of edit.originalNodes) {
    const kept = keep(n);
    if (kept) report.float32Nodes++;
    else report.halfNodes++;
    n.input = (n.input ?? []).map((input, slot) => {
      if (!input || !final.has(input) || (n.opType === 'Cast' && !kept)) return input;
      const want: ElemType = wantsFloat32(n, slot) ? 'float32' : 'float16';
      return final.get(input) === want ? input : castTo(input, want);
    });
    if (!kept) halveAttributes(n);
    edit.nodes.push(n);
  }

  for (const o of g.output ?? []) {
    const name = o.name ?? '';
    if (final.get(name) !== 'float16') continue;
    if (!opts.keepIoTypes) {
      o.type!.tensorType!.elemType = FLOAT16;
      continue;
    }
    // Rename the half tensor everywhere, then cast it back under the output's name.
    const half = edit.fresh(`${name}_float16`);
    for (const n of edit.nodes) {
      n.input = (n.input ?? []).map((x) => (x === name ? half : x));
      n.output = (n.output ?? []).map((x) => (x === name ? half : x));
    }
    edit.add('Cast', [half], { name: `${name}/Cast_float32`, outputs: [name], attrs: [intAttr('to', FLOAT)] });
    report.casts++;
  }

  for (const t of g.initializer ?? []) {
    const name = t.name ?? '';
    if (final.get(name) !== 'float16') continue;
    const values = getInitializerFloat32(edit.model, name, opts.baseDir);
    let clamped = false;
    for (let i = 0; i < values.length; i++) {
      if (values[i] > HALF_MAX || values[i] < -HALF_MAX) {
        values[i] = Math.sign(values[i]) * HALF_MAX;
        clamped = true;
      }
    }
    if (clamped) report.clamped.push(name);
    const bits = float32ToFloat16(values);
    t.dataType = FLOAT16;
    t.rawData = new Uint8Array(bits.buffer);
    t.floatData = [];
    t.externalData = [];
    t.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
  }
  for (const v of g.valueInfo ?? []) {
    if (v.name && final.get(v.name) === 'float16' && v.type?.tensorType) v.type.tensorType.elemType = FLOAT16;
  }
  return { model: edit.finish(), report };
}

/** A half node's own float32 constants and target types become float16. */
function halveAttributes(n: INodeProto): void {
  for (const a of n.attribute ?? []) {
    if (n.opType === 'Cast' && a.name === 'to' && Number(a.i) === FLOAT) a.i = FLOAT16;
    if ((n.opType === 'Constant' || n.opType === 'ConstantOfShape') && a.name === 'value' && a.t && a.t.dataType === FLOAT) {
      const values = a.t.rawData?.length
        ? new Float32Array(Uint8Array.from(a.t.rawData).buffer)
        : Float32Array.from(a.t.floatData ?? []);
      a.t.dataType = FLOAT16;
      a.t.rawData = new Uint8Array(float32ToFloat16(values.map((v) => Math.max(-HALF_MAX, Math.min(HALF_MAX, v)))).buffer);
      a.t.floatData = [];
    }
  }
}
