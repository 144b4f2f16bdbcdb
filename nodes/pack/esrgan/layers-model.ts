// Reads a TensorFlow.js "layers-model" (model.json + binary weight shards) into plain data:
// the Keras layer graph and every weight as float32, dequantised when the converter quantised it.
import fs from 'node:fs';
import path from 'node:path';
import { float16ToFloat32 } from '../../runtime/float16';

/** A reference to one output of one call of a layer: [layer name, node index, tensor index]. */
export type TensorRef = [layer: string, node: number, tensor: number];

export interface KerasLayer {
  className: string;
  name: string;
  config: Record<string, unknown>;
  /** One entry per call of the layer; each lists the tensors it was called on. */
  inboundNodes: TensorRef[][];
}

export interface Weight {
  data: Float32Array;
  shape: number[];
}

export interface LayersModel {
  name: string;
  layers: KerasLayer[];
  inputs: TensorRef[];
  outputs: TensorRef[];
  weights: Map<string, Weight>;
}

export class LayersModelError extends Error {
  readonly code = 'layers_model';
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'LayersModelError';
  }
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
}

interface ModelJson {
  format?: string;
  modelTopology: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
}

/** Reads `model.json` and the shards it names (paths relative to its folder). */
export function readLayersModel(modelJsonPath: string): LayersModel {
  const json = JSON.parse(fs.readFileSync(modelJsonPath, 'utf8')) as ModelJson;
  const dir = path.dirname(modelJsonPath);
  const shards = (json.weightsManifest ?? []).map((group) => ({
    specs: group.weights,
    bytes: Buffer.concat(group.paths.map((p) => fs.readFileSync(path.join(dir, p)))),
  }));
  return parseLayersModel(json, shards, modelJsonPath);
}

/** Parses an already loaded model.json with the concatenated bytes of each weight group. */
export function parseLayersModel(json: ModelJson, groups: { specs: WeightSpec[]; bytes: Uint8Array }[], file = 'model.json'): LayersModel {
  if (json.format && json.format !== 'layers-model') {
    throw new LayersModelError(file, `format "${json.format}" is not a TF.js layers model (graph models need another converter)`);
  }
  const weights = new Map<string, Weight>();
  for (const g of groups) readWeightGroup(g.specs, g.bytes, weights, file);
  const topology = (json.modelTopology.model_config ?? json.modelTopology) as { class_name: string; config: Record<string, unknown> };
  return { ...readTopology(topology, file), weights };
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

function readWeightGroup(specs: WeightSpec[], bytes: Uint8Array, out: Map<string, Weight>, file: string): void {
  let offset = 0;
  for (const spec of specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const stored = spec.quantization?.dtype ?? spec.dtype;
    const size = BYTES[stored];
    if (!size) throw new LayersModelError(file, `weight "${spec.name}" is stored as ${stored}, which this reader does not know`);
    if (offset + n * size > bytes.byteLength) throw new LayersModelError(file, `weight "${spec.name}" runs past the end of its shard(s)`);
    // Copy to an own, aligned buffer: shard offsets need not be multiples of the element size (and a
    // Node Buffer's slice() would be a view into a shared pool).
    const raw = new Uint8Array(n * size);
    raw.set(bytes.subarray(offset, offset + n * size));
    offset += n * size;
    out.set(spec.name.replace(/:\d+$/, ''), { data: decode(raw, stored, spec), shape: [...spec.shape] });
  }
  if (offset !== bytes.byteLength) throw new LayersModelError(file, `the shards hold ${bytes.byteLength} bytes but the manifest describes ${offset}`);
}

function decode(raw: Uint8Array, stored: string, spec: WeightSpec): Float32Array {
  const buf = raw.buffer;
  const q = spec.quantization;
  switch (stored) {
    case 'float32': return new Float32Array(buf);
    case 'int32': return Float32Array.from(new Int32Array(buf));
    case 'float16': return float16ToFloat32(new Uint16Array(buf));
    default: {
      // Affine quantisation: value = q * scale + min.
      const ints = stored === 'uint8' ? new Uint8Array(buf) : new Uint16Array(buf);
      const scale = q?.scale ?? 1, min = q?.min ?? 0;
      return Float32Array.from(ints, (v) => v * scale + min);
    }
  }
}

function readTopology(topology: { class_name: string; config: Record<string, unknown> }, file: string): Omit<LayersModel, 'weights'> {
  const config = topology.config;
  const rawLayers = (Array.isArray(config) ? config : config.layers) as { class_name: string; config: Record<string, unknown>; name?: string; inbound_nodes?: unknown[] }[];
  if (!Array.isArray(rawLayers)) throw new LayersModelError(file, 'the topology has no layer list');
  const name = (Array.isArray(config) ? 'sequential' : (config.name as string)) ?? 'model';
  if (topology.class_name === 'Sequential') return sequentialTopology(name, rawLayers);
  if (topology.class_name !== 'Functional' && topology.class_name !== 'Model') {
    throw new LayersModelError(file, `model class "${topology.class_name}" is neither Functional nor Sequential`);
  }
  const layers = rawLayers.map((l): KerasLayer => ({
    className: l.class_name,
    name: l.name ?? (l.config.name as string),
    config: l.config,
    inboundNodes: (l.inbound_nodes ?? []).map((node) => readInboundNode(node, l.name ?? '', file)),
  }));
  const refs = (v: unknown) => (v as unknown[][]).map((r) => [r[0], r[1], r[2]] as TensorRef);
  return { name, layers, inputs: refs(config.input_layers), outputs: refs(config.output_layers) };
}

function readInboundNode(node: unknown, layer: string, file: string): TensorRef[] {
  if (!Array.isArray(node)) {
    throw new LayersModelError(file, `layer "${layer}" uses the Keras 3 inbound-node format; re-export the model with Keras 2 / tfjs-converter`);
  }
  return node.map((r: unknown[]) => [r[0] as string, r[1] as number, r[2] as number]);
}

/** A Sequential model is a chain: each layer takes the previous one's output. */
function sequentialTopology(name: string, raw: { class_name: string; config: Record<string, unknown> }[]): Omit<LayersModel, 'weights'> {
  const first = raw[0].config;
  const layers: KerasLayer[] = [];
  let prev: TensorRef;
  if (raw[0].class_name === 'InputLayer') {
    layers.push({ className: 'InputLayer', name: first.name as string, config: first, inboundNodes: [] });
    prev = [first.name as string, 0, 0];
    raw = raw.slice(1);
  } else {
    const inputName = `${name}_input`;
    layers.push({ className: 'InputLayer', name: inputName, config: { batch_input_shape: first.batch_input_shape }, inboundNodes: [] });
    prev = [inputName, 0, 0];
  }
  const input = prev;
  for (const l of raw) {
    layers.push({ className: l.class_name, name: l.config.name as string, config: l.config, inboundNodes: [[prev]] });
    prev = [l.config.name as string, 0, 0];
  }
  return { name, layers, inputs: [input], outputs: [prev] };
}
