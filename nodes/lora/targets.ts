// Finds the ONNX initializer a LoRA module patches. diffusers/Optimum exports keep the torch module path in
// node names (`/down_blocks.0/attentions.0/transformer_blocks.0/attn1/to_q/MatMul`) even when the weight
// itself is anonymous (`onnx::MatMul_9001`); named weights (`conv_out.weight`) carry the path too.
import { toNumber, type ModelProto } from '../onnx/proto';
import { normaliseModule } from './keys';

/**
 * How the initializer stores torch's [out, in(, kh, kw)] weight:
 * - 'out-in': same order (Conv, Gemm with transB=1), the delta is added as is;
 * - 'in-out': transposed (MatMul, Gemm with transB=0), the delta is added transposed.
 */
export type WeightLayout = 'out-in' | 'in-out';

export interface LoraTarget {
  initializer: string;
  /** The consuming node, for reports. */
  node: string;
  opType: 'MatMul' | 'Gemm' | 'Conv';
  layout: WeightLayout;
  dims: number[];
  /** torch's out_features / out_channels. */
  outFeatures: number;
  /** in_features, or in_channels/groups * kh * kw for a convolution. */
  inFeatures: number;
}

const WEIGHT_OPS = new Set(['MatMul', 'Gemm', 'Conv']);

/** `/a.0/b/to_q/MatMul_1` -> `a.0.b.to_q`: the node name minus its last (operator) segment. */
export function modulePathOfNode(nodeName: string): string | undefined {
  const parts = nodeName.split('/').filter(Boolean);
  if (parts.length < 2) return undefined;
  return parts.slice(0, -1).join('.');
}

function intAttr(node: { attribute?: { name?: string | null; i?: unknown }[] | null }, name: string, fallback: number): number {
  const a = node.attribute?.find((x) => x.name === name);
  return a ? toNumber(a.i as number) : fallback;
}

/** Every weight a LoRA could patch, under each spelling of its module path (normalised with normaliseModule). */
export function indexLoraTargets(model: ModelProto): Map<string, LoraTarget> {
  const initializers = new Map((model.graph?.initializer ?? []).map((t) => [t.name ?? '', (t.dims ?? []).map(toNumber)]));
  const index = new Map<string, LoraTarget>();
  for (const node of model.graph?.node ?? []) {
    const opType = node.opType ?? '';
    if (!WEIGHT_OPS.has(opType)) continue;
    const weight = node.input?.[1];
    const dims = weight ? initializers.get(weight) : undefined;
    if (!weight || !dims) continue;
    const target = describe(opType as LoraTarget['opType'], weight, node.name ?? '', dims, node);
    if (!target) continue;
    const fromNode = modulePathOfNode(node.name ?? '');
    const fromName = weight.endsWith('.weight') ? weight.slice(0, -'.weight'.length) : undefined;
    for (const path of [fromNode, fromName]) {
      if (!path) continue;
      const key = normaliseModule(path);
      // The first consumer wins: a shared weight is one module, whichever node reads it first.
      if (!index.has(key)) index.set(key, target);
    }
  }
  return index;
}

function describe(opType: LoraTarget['opType'], initializer: string, node: string, dims: number[], proto: Parameters<typeof intAttr>[0]): LoraTarget | undefined {
  if (opType === 'Conv') {
    if (dims.length < 3) return undefined;
    const inFeatures = dims.slice(1).reduce((a, b) => a * b, 1);
    return { initializer, node, opType, layout: 'out-in', dims, outFeatures: dims[0], inFeatures };
  }
  if (dims.length !== 2) return undefined;
  const transposed = opType === 'Gemm' && intAttr(proto, 'transB', 0) === 1;
  return transposed
    ? { initializer, node, opType, layout: 'out-in', dims, outFeatures: dims[0], inFeatures: dims[1] }
    : { initializer, node, opType, layout: 'in-out', dims, outFeatures: dims[1], inFeatures: dims[0] };
}
