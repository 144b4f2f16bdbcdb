// What an upscaler's .onnx file says about itself without running it: metadata_props (scale, layout,
// range) and an estimate of peak activation memory per input pixel, from a liveness walk over the graph.
import fs from 'node:fs';
import { readModel, getInitializerFloat32, type ModelProto } from '../onnx/model-io';
import { toNumber } from '../onnx/proto';

export interface UpscalerGraphInfo {
  metadata: Record<string, string>;
  /**
   * Floats alive at once per input pixel at the graph's busiest point (e.g. 64 channels at 1x plus
   * 48 channels at 16x area), or undefined when the graph has ops whose output size cannot be followed.
   */
  peakFloatsPerPixel?: number;
}

export function readUpscalerGraph(file: string): UpscalerGraphInfo {
  const model = readModel(fs.readFileSync(file));
  const metadata = Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
  return { metadata, peakFloatsPerPixel: estimatePeakFloatsPerPixel(model) };
}

/** Channels and area relative to one input pixel; floats per input pixel = channels * area. */
interface Size {
  channels: number;
  area: number;
}

const SHAPE_ONLY = new Set(['Shape', 'Size', 'Constant', 'ConstantOfShape', 'Range']);
const POOLS = new Set(['MaxPool', 'AveragePool', 'LpPool']);

type NodeProto = NonNullable<NonNullable<ModelProto['graph']>['node']>[number];

function attribute(n: NodeProto, name: string) {
  return n.attribute?.find((a) => a.name === name);
}

function strideProduct(n: NodeProto): number {
  return (attribute(n, 'strides')?.ints ?? []).reduce<number>((a, v) => a * toNumber(v), 1);
}

/** Follows NCHW sizes through the graph in node order and tracks which tensors are still needed. */
export function estimatePeakFloatsPerPixel(model: ModelProto): number | undefined {
  const graph = model.graph;
  const initializers = new Set((graph?.initializer ?? []).map((t) => t.name ?? ''));
  const image = graph?.input?.find((i) => !initializers.has(i.name ?? ''));
  if (!graph?.node || !image?.name) return undefined;
  const dims = image.type?.tensorType?.shape?.dim ?? [];
  const c = dims[1]?.dimValue ? toNumber(dims[1].dimValue) : 3;
  const sizes = new Map<string, Size>([[image.name, { channels: c, area: 1 }]]);
  const initDims = (name: string) => (graph.initializer ?? []).find((t) => t.name === name)?.dims?.map(toNumber);

  const lastUse = new Map<string, number>();
  graph.node.forEach((n, i) => n.input?.forEach((name) => lastUse.set(name, i)));
  for (const o of graph.output ?? []) lastUse.set(o.name ?? '', Infinity);

  let live = c;
  let peak = live;
  for (let i = 0; i < graph.node.length; i++) {
    const n = graph.node[i];
    const ins = (n.input ?? []).map((name) => sizes.get(name)).filter((s): s is Size => !!s);
    const op = n.opType ?? '';
    let out: Size | undefined;
    if (ins.length === 0 || SHAPE_ONLY.has(op)) {
      out = undefined; // weights and shape arithmetic: no per-pixel memory
    } else if (op === 'Conv' || op === 'ConvTranspose') {
      const w = initDims(n.input![1]);
      if (!w) return undefined;
      const group = toNumber(attribute(n, 'group')?.i) || 1;
      const stride = strideProduct(n);
      out = op === 'Conv' ? { channels: w[0], area: ins[0].area / stride } : { channels: w[1] * group, area: ins[0].area * stride };
    } else if (op === 'Resize' || op === 'Upsample') {
      const scalesName = n.input![op === 'Resize' ? 2 : 1];
      if (!scalesName || !initializers.has(scalesName)) return undefined;
      const s = getInitializerFloat32(model, scalesName);
      out = { channels: ins[0].channels, area: ins[0].area * s[2] * s[3] };
    } else if (op === 'DepthToSpace' || op === 'SpaceToDepth') {
      const b = toNumber(attribute(n, 'blocksize')?.i) ** 2;
      out = op === 'DepthToSpace' ? { channels: ins[0].channels / b, area: ins[0].area * b } : { channels: ins[0].channels * b, area: ins[0].area / b };
    } else if (op === 'Concat') {
      out = { channels: ins.reduce((a, s) => a + s.channels * (s.area / ins[0].area), 0), area: ins[0].area };
    } else if (POOLS.has(op)) {
      out = { channels: ins[0].channels, area: ins[0].area / strideProduct(n) };
    } else {
      // Elementwise and broadcasting ops keep the largest operand's size.
      out = ins.reduce((a, s) => (s.channels * s.area > a.channels * a.area ? s : a));
    }
    for (const name of n.output ?? []) {
      if (!out || !name) continue;
      sizes.set(name, out);
      live += out.channels * out.area;
    }
    peak = Math.max(peak, live);
    for (const name of new Set([...(n.input ?? []), ...(n.output ?? [])])) {
      const s = sizes.get(name);
      if (s && (lastUse.get(name) ?? i) <= i) {
        live -= s.channels * s.area;
        sizes.delete(name);
      }
    }
  }
  return peak;
}
