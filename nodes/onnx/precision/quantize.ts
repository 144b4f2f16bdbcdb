// Dynamic int8 quantisation of an ONNX graph: weights of MatMul, Gemm and Conv become int8 (symmetric, one
// scale per output channel), activations are quantised at run time by DynamicQuantizeLinear (uint8, one
// scale per tensor), and the products run as MatMulInteger / ConvInteger in int32, rescaled to float32.
// The MatMul pattern is the one ONNX Runtime fuses into DynamicQuantizeMatMul (VNNI kernels on x86).
import { getInitializerFloat32 } from '../model-io';
import { toNumber, type INodeProto, type ModelProto } from '../proto';
import { elementTypes } from './element-types';
import { GraphEdit, intAttr } from './graph-edit';

export type QuantizableOp = 'MatMul' | 'Gemm' | 'Conv';

export interface QuantizeOptions {
  /** Op types to quantise; default all three. */
  ops?: readonly QuantizableOp[];
  /** Nodes to leave in float32 (a first or last layer whose error shows directly in the output). */
  exclude?: (node: INodeProto) => boolean;
  /** Folder of the model's external data, when its weights live in a side file. */
  baseDir?: string;
}

export interface QuantizeReport {
  quantized: { node: string; op: string }[];
  /** Candidates left in float32, with the reason. */
  skipped: { node: string; op: string; reason: string }[];
}

/**
 * Weights are symmetric (zero point 0, no correction term) and use 7 bits, [-63, 63] (ORT's reduce_range): on CPUs
 * without VNNI, ONNX Runtime's u8×s8 kernels add pairs of uint8×int8 products in int16, and 255·127·2 overflows it.
 * Seen on an AVX2-only AMD EPYC: the int8 text encoder was 1.05 off float32 with 8-bit weights, 0.05 with 7.
 */
const INT8_MAX = 63;

interface QuantizedWeight {
  values: Int8Array;
  /** One scale per output channel (per column of a [K, N] MatMul weight, per filter of a Conv). */
  scales: Float32Array;
}

/** Symmetric per-channel quantisation of `w`, channel `c` of element `i` given by `channelOf(i)`. */
function quantizeWeight(w: Float32Array, channels: number, channelOf: (i: number) => number): QuantizedWeight {
  const max = new Float32Array(channels);
  for (let i = 0; i < w.length; i++) {
    const c = channelOf(i);
    max[c] = Math.max(max[c], Math.abs(w[i]));
  }
  const scales = Float32Array.from(max, (m) => (m > 0 ? m / INT8_MAX : 1));
  const values = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) values[i] = Math.max(-INT8_MAX, Math.min(INT8_MAX, Math.round(w[i] / scales[channelOf(i)])));
  return { values, scales };
}

function attr(n: INodeProto, name: string) {
  return n.attribute?.find((a) => a.name === name);
}

export function quantizeDynamic(source: ModelProto, opts: QuantizeOptions = {}): { model: ModelProto; report: QuantizeReport } {
  const ops = new Set<string>(opts.ops ?? ['MatMul', 'Gemm', 'Conv']);
  const types = elementTypes(source);
  const edit = new GraphEdit(source);
  const g = edit.model.graph!;
  const initializers = new Map((g.initializer ?? []).map((t) => [t.name ?? '', t]));
  const report: QuantizeReport = { quantized: [], skipped: [] };
  const dims = (name: string) => (initializers.get(name)?.dims ?? []).map(toNumber);
  const weight = (name: string) => getInitializerFloat32(edit.model, name, opts.baseDir);

  // One DynamicQuantizeLinear per activation, shared by its consumers (q, k and v read the same norm).
  const dynamic = new Map<string, string[]>();
  const quantizeInput = (x: string): string[] => {
    let q = dynamic.get(x);
    if (!q) {
      q = edit.add('DynamicQuantizeLinear', [x], { name: `${x}/DynamicQuantizeLinear`, outputCount: 3 });
      dynamic.set(x, q);
    }
    return q;
  };

  /** int32 accumulator -> float32 output: cast, times (activation scale × weight scales), plus bias. */
  const rescale = (n: INodeProto, acc: string, xScale: string, wScales: string, bias: string | undefined, output: string) => {
    const [scale] = edit.add('Mul', [xScale, wScales], { name: `${n.name}/scale/Mul` });
    const [wide] = edit.add('Cast', [acc], { name: `${n.name}/Cast`, attrs: [intAttr('to', 1)] });
    if (!bias) return edit.add('Mul', [wide, scale], { name: `${n.name}/rescale/Mul`, outputs: [output] });
    const [scaled] = edit.add('Mul', [wide, scale], { name: `${n.name}/rescale/Mul` });
    return edit.add('Add', [scaled, bias], { name: `${n.name}/bias/Add`, outputs: [output] });
  };

  /** x[..., K] @ w[K, N] (+ bias) with w given as float32 values. */
  const matmul = (n: INodeProto, x: string, w: Float32Array, k: number, cols: number, bias: string | undefined) => {
    const q = quantizeWeight(w, cols, (i) => i % cols);
    const wq = edit.initializer(`${n.name}/weight_quantized`, q.values, [k, cols], 'int8');
    const wz = edit.initializer(`${n.name}/weight_zero_point`, new Int8Array(cols), [cols], 'int8');
    const ws = edit.initializer(`${n.name}/weight_scale`, q.scales, [cols]);
    const [xq, xs, xz] = quantizeInput(x);
    const [acc] = edit.add('MatMulInteger', [xq, wq, xz, wz], { name: `${n.name}/MatMulInteger` });
    rescale(n, acc, xs, ws, bias, n.output![0]);
  };

  const tryQuantize = (n: INodeProto): string | null => {
    const op = n.opType ?? '';
    const [x, w, b] = n.input ?? [];
    if (types.get(x) !== 'float32') return 'its input is not float32';
    if (!w || !initializers.has(w) || types.get(w) !== 'float32') return 'its weight is not a float32 initializer';
    if (b && !initializers.has(b)) return 'its bias is not an initializer';
    const d = dims(w);
    if (op === 'MatMul') {
      if (d.length !== 2) return `its weight has rank ${d.length}, not 2`;
      matmul(n, x, weight(w), d[0], d[1], undefined);
    } else if (op === 'Gemm') {
      const transA = Number(attr(n, 'transA')?.i ?? 0), transB = Number(attr(n, 'transB')?.i ?? 0);
      const alpha = attr(n, 'alpha')?.f ?? 1, beta = attr(n, 'beta')?.f ?? 1;
      if (transA || alpha !== 1 || beta !== 1) return 'transA, alpha or beta is not the default';
      let values = weight(w);
      const [k, cols] = transB ? [d[1], d[0]] : [d[0], d[1]];
      if (transB) values = Float32Array.from({ length: values.length }, (_, i) => values[(i % cols) * k + Math.floor(i / cols)]);
      matmul(n, x, values, k, cols, b || undefined);
    } else {
      if (d.length < 3) return `its weight has rank ${d.length}`;
      const filters = d[0];
      const per = d.slice(1).reduce((a, v) => a * v, 1);
      const q = quantizeWeight(weight(w), filters, (i) => Math.floor(i / per));
      const wq = edit.initializer(`${n.name}/weight_quantized`, q.values, d, 'int8');
      // ONNX Runtime's ConvInteger takes one weight zero point per tensor, hence symmetric weights.
      const wz = edit.initializer(`${n.name}/weight_zero_point`, new Int8Array(1), [], 'int8');
      const spatial = d.slice(2).map(() => 1);
      const ws = edit.initializer(`${n.name}/weight_scale`, q.scales, [filters, ...spatial]);
      const bias = b ? edit.initializer(`${n.name}/bias`, weight(b), [filters, ...spatial]) : undefined;
      const [xq, xs, xz] = quantizeInput(x);
      const [acc] = edit.add('ConvInteger', [xq, wq, xz, wz], { name: `${n.name}/ConvInteger`, attrs: n.attribute ?? [] });
      rescale(n, acc, xs, ws, bias, n.output![0]);
    }
    return null;
  };

  for (const n of edit.originalNodes) {
    const op = n.opType ?? '';
    n.name ||= edit.fresh(op);
    if (!ops.has(op)) {
      edit.nodes.push(n);
      continue;
    }
    const reason = opts.exclude?.(n) ? 'excluded' : tryQuantize(n);
    if (reason === null) report.quantized.push({ node: n.name ?? '', op });
    else {
      report.skipped.push({ node: n.name ?? '', op, reason });
      edit.nodes.push(n);
    }
  }
  return { model: edit.finish(), report };
}
