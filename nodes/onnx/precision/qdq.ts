// Static int8 quantisation in the QDQ format: calibrated activations pass through QuantizeLinear ->
// DequantizeLinear (uint8, one scale per tensor), Conv/MatMul weights are int8 per output channel behind a
// DequantizeLinear, biases int32. ONNX Runtime fuses each DQ -> op -> Q group into QLinearConv, QLinearAdd,
// QLinearConcat..., so a CNN runs in uint8 end to end; any other runtime still reads a valid float graph.
import { getInitializerFloat32 } from '../model-io';
import { toNumber, type INodeProto, type ModelProto } from '../proto';
import type { TensorRange } from './calibration';
import { elementTypes, PrecisionError } from './element-types';
import { GraphEdit, intAttr } from './graph-edit';

export interface StaticQuantizeOptions {
  /** Nodes to leave in float32 (a last layer whose error shows directly in the output pixels). */
  exclude?: (node: INodeProto) => boolean;
  /** Folder of the model's external data, when its weights live in a side file. */
  baseDir?: string;
}

export interface StaticQuantizeReport {
  quantized: { node: string; op: string }[];
  /** Relu nodes folded into the uint8 range of the op before them (zero point 0 clamps negatives). */
  fusedRelu: string[];
}

/** Ops with weights: weight int8 per output channel, bias int32. */
const WEIGHTED = new Set(['Conv', 'MatMul']);
/** Ops computed on uint8 with their own output scale. */
const ARITHMETIC = new Set(['Add', 'Concat']);
/** Ops that only move values: the output keeps the input's scale, so ORT runs them on uint8 directly. */
const MOVES = new Set(['Resize', 'Transpose', 'Reshape', 'DepthToSpace', 'SpaceToDepth', 'MaxPool']);

/** Weights use 7 bits, as in quantize.ts: ORT's u8×s8 kernels without VNNI overflow int16 with the full int8 range. */
const INT8_MAX = 63;

interface QuantParams {
  scale: number;
  zeroPoint: number;
}

/** uint8 asymmetric parameters covering [min, max] (which includes 0). */
function paramsFor(r: TensorRange): QuantParams {
  const scale = (r.max - r.min) / 255 || 1;
  return { scale, zeroPoint: Math.max(0, Math.min(255, Math.round(-r.min / scale))) };
}

export function quantizeStatic(source: ModelProto, ranges: ReadonlyMap<string, TensorRange>, opts: StaticQuantizeOptions = {}): { model: ModelProto; report: StaticQuantizeReport } {
  const types = elementTypes(source);
  const edit = new GraphEdit(source);
  const g = edit.model.graph!;
  const initializers = new Map((g.initializer ?? []).map((t) => [t.name ?? '', t]));
  const consumers = new Map<string, INodeProto[]>();
  for (const n of edit.originalNodes) for (const i of n.input ?? []) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const graphOutputs = new Set((g.output ?? []).map((o) => o.name ?? ''));
  const report: StaticQuantizeReport = { quantized: [], fusedRelu: [] };

  const isActivation = (name: string) => !!name && !initializers.has(name) && types.get(name) === 'float32';
  const eligible = (n: INodeProto): boolean => {
    const op = n.opType ?? '';
    if (opts.exclude?.(n)) return false;
    const [x, w, b] = n.input ?? [];
    const out = n.output?.[0] ?? '';
    if (WEIGHTED.has(op)) {
      const wDims = (initializers.get(w)?.dims ?? []).map(toNumber);
      const weightOk = types.get(w) === 'float32' && initializers.has(w) && (op === 'Conv' ? wDims.length >= 3 : wDims.length === 2);
      const readers = consumers.get(out) ?? [];
      const reluRange = readers.length === 1 && readers[0].opType === 'Relu' && !graphOutputs.has(out) && ranges.has(readers[0].output?.[0] ?? '');
      return isActivation(x) && ranges.has(x) && weightOk && (!b || initializers.has(b)) && (n.output?.length ?? 0) === 1
        && types.get(out) === 'float32' && (ranges.has(out) || reluRange);
    }
    if (ARITHMETIC.has(op)) return (n.input ?? []).every((i) => isActivation(i) && ranges.has(i)) && ranges.has(out);
    if (MOVES.has(op)) {
      const mode = n.attribute?.find((a) => a.name === 'mode')?.s;
      const nearest = op !== 'Resize' || (!!mode && new TextDecoder().decode(mode) === 'nearest');
      return nearest && isActivation(x) && ranges.has(x) && (n.output?.length ?? 0) === 1;
    }
    return false;
  };
  const quantized = new Set(edit.originalNodes.filter(eligible));
  // A weighted op whose only reader is a Relu: the Relu's zero-point-0 range does the clamping.
  const fusedRelus = new Set<INodeProto>();
  const fusedProducers = new Set<INodeProto>();
  for (const n of quantized) {
    const out = n.output![0];
    const readers = consumers.get(out) ?? [];
    if (WEIGHTED.has(n.opType ?? '') && readers.length === 1 && readers[0].opType === 'Relu' && !graphOutputs.has(out) && ranges.has(readers[0].output![0])) {
      fusedRelus.add(readers[0]);
      fusedProducers.add(n);
    }
  }

  // Scale/zero-point initializers per tensor; moved tensors share their source's.
  const paramNames = new Map<string, { scale: string; zeroPoint: string; params: QuantParams }>();
  const aliasOf = new Map<string, string>();
  const paramsOf = (tensor: string) => {
    const name = aliasOf.get(tensor) ?? tensor;
    let p = paramNames.get(name);
    if (!p) {
      const range = ranges.get(name);
      if (!range) throw new PrecisionError(`tensor "${name}"`, 'has no calibrated range; run calibration over the graph withTensorOutputs() returns');
      const params = paramsFor(range);
      p = {
        params,
        scale: edit.initializer(`${name}/scale`, Float32Array.of(params.scale), []),
        zeroPoint: edit.initializer(`${name}/zero_point`, Uint8Array.of(params.zeroPoint), [], 'uint8'),
      };
      paramNames.set(name, p);
    }
    return p;
  };

  // Tensors whose float value already comes out of a DequantizeLinear (outputs of quantised ops).
  const dequantized = new Set<string>();
  const qdqInput = new Map<string, string>();
  const dqOf = (x: string): string => {
    if (dequantized.has(x)) return x;
    let out = qdqInput.get(x);
    if (!out) {
      const p = paramsOf(x);
      const [q] = edit.add('QuantizeLinear', [x, p.scale, p.zeroPoint], { name: `${x}/QuantizeLinear` });
      [out] = edit.add('DequantizeLinear', [q, p.scale, p.zeroPoint], { name: `${x}/DequantizeLinear` });
      qdqInput.set(x, out);
    }
    return out;
  };
  /** The node writes a float tensor that passes Q -> DQ under the original name, for every reader. */
  const quantizeOutput = (n: INodeProto, out: string) => {
    const p = paramsOf(out);
    const float = edit.fresh(`${out}/float`);
    n.output = [float];
    edit.nodes.push(n);
    const [q] = edit.add('QuantizeLinear', [float, p.scale, p.zeroPoint], { name: `${out}/QuantizeLinear` });
    edit.add('DequantizeLinear', [q, p.scale, p.zeroPoint], { name: `${out}/DequantizeLinear`, outputs: [out] });
    dequantized.add(out);
  };

  const weighted = (n: INodeProto) => {
    const [x, w, b] = n.input!;
    const dims = (initializers.get(w)!.dims ?? []).map(toNumber);
    const values = getInitializerFloat32(edit.model, w, opts.baseDir);
    // Conv: filters on axis 0; MatMul [K, N]: columns on axis 1.
    const axis = n.opType === 'Conv' ? 0 : 1;
    const channels = dims[axis];
    const per = dims.slice(1).reduce((a, v) => a * v, 1);
    const channelOf = axis === 0 ? (i: number) => Math.floor(i / per) : (i: number) => i % channels;
    const max = new Float32Array(channels);
    for (let i = 0; i < values.length; i++) max[channelOf(i)] = Math.max(max[channelOf(i)], Math.abs(values[i]));
    const scales = Float32Array.from(max, (m) => (m > 0 ? m / INT8_MAX : 1));
    const q = Int8Array.from(values, (v, i) => Math.max(-INT8_MAX, Math.min(INT8_MAX, Math.round(v / scales[channelOf(i)]))));
    const wq = edit.initializer(`${w}/quantized`, q, dims, 'int8');
    const ws = edit.initializer(`${w}/scale`, scales, [channels]);
    const wz = edit.initializer(`${w}/zero_point`, new Int8Array(channels), [channels], 'int8');
    const [wd] = edit.add('DequantizeLinear', [wq, ws, wz], { name: `${w}/DequantizeLinear`, attrs: [intAttr('axis', axis)] });
    const inputs = [dqOf(x), wd];
    if (b) {
      // int32 bias at scale x_scale * w_scale, as QLinearConv adds it to the int32 accumulator.
      const xs = Math.fround(paramsOf(x).params.scale); // as stored, so bias scale = x scale × weight scale exactly
      const bias = getInitializerFloat32(edit.model, b, opts.baseDir);
      const bScales = Float32Array.from(scales, (s) => xs * s);
      const bq = edit.initializer(`${b}/quantized`, Int32Array.from(bias, (v, i) => Math.round(v / bScales[i])), [channels], 'int32');
      const bs = edit.initializer(`${b}/scale`, bScales, [channels]);
      const bz = edit.initializer(`${b}/zero_point`, new Int32Array(channels), [channels], 'int32');
      [inputs[2]] = edit.add('DequantizeLinear', [bq, bs, bz], { name: `${b}/DequantizeLinear`, attrs: [intAttr('axis', 0)] });
    }
    n.input = inputs;
  };

  for (const n of edit.originalNodes) {
    const op = n.opType ?? '';
    if (fusedRelus.has(n)) {
      // The Relu reads its producer's raw float output and is followed by Q/DQ with a zero point of 0.
      report.fusedRelu.push(n.name ?? '');
      quantizeOutput(n, n.output![0]);
      continue;
    }
    if (!quantized.has(n)) {
      edit.nodes.push(n);
      continue;
    }
    report.quantized.push({ node: n.name ?? '', op });
    const out = n.output![0];
    if (WEIGHTED.has(op)) {
      weighted(n);
      if (fusedProducers.has(n)) edit.nodes.push(n);
      else quantizeOutput(n, out);
    } else if (MOVES.has(op)) {
      aliasOf.set(out, aliasOf.get(n.input![0]) ?? n.input![0]);
      n.input = [dqOf(n.input![0]), ...n.input!.slice(1)];
      quantizeOutput(n, out);
    } else {
      n.input = n.input!.map(dqOf);
      quantizeOutput(n, out);
    }
  }
  return { model: edit.finish(), report };
}
