// Reads and edits an existing .onnx file's initializers (the LoRA merge): decode, list weights with the
// nodes that consume them, read/replace weights as float32 whatever their stored dtype, encode again.
import fs from 'node:fs';
import path from 'node:path';
import { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from '../runtime/float16';
import { onnx, elemTypeOfCode, toNumber, bytesOf, type ElemType, type ModelProto, type TensorProto } from './proto';

export type { ModelProto } from './proto';

export interface InitializerConsumer {
  nodeName: string;
  opType: string;
  inputIndex: number;
}

export interface InitializerInfo {
  name: string;
  dims: number[];
  dataType: ElemType | 'unknown';
  /** Stored in a side file (diffusers' weights.pb) rather than inside the model. */
  external: boolean;
  consumers: InitializerConsumer[];
}

export class OnnxModelError extends Error {
  readonly code = 'onnx_model';
  constructor(readonly initializer: string, message: string) {
    super(`initializer "${initializer}": ${message}`);
    this.name = 'OnnxModelError';
  }
}

export function readModel(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes);
}

export function writeModel(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

export function listInitializers(model: ModelProto): InitializerInfo[] {
  const consumers = new Map<string, InitializerConsumer[]>();
  for (const node of model.graph?.node ?? []) {
    (node.input ?? []).forEach((input, inputIndex) => {
      const list = consumers.get(input) ?? [];
      list.push({ nodeName: node.name ?? '', opType: node.opType ?? '', inputIndex });
      consumers.set(input, list);
    });
  }
  return (model.graph?.initializer ?? []).map((t) => ({
    name: t.name ?? '',
    dims: (t.dims ?? []).map(toNumber),
    dataType: elemTypeOfCode(t.dataType ?? 0) ?? 'unknown',
    external: isExternal(t as TensorProto),
    consumers: consumers.get(t.name ?? '') ?? [],
  }));
}

function isExternal(t: TensorProto): boolean {
  return t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL;
}

function findInitializer(model: ModelProto, name: string): TensorProto {
  const t = model.graph?.initializer?.find((i) => i.name === name);
  if (!t) throw new OnnxModelError(name, 'not found in the model; listInitializers() shows the names it has');
  return t as TensorProto;
}

function externalField(t: TensorProto, key: string): string | undefined {
  return t.externalData?.find((e) => e.key === key)?.value ?? undefined;
}

/** Absolute paths of the side files the model's initializers live in. */
export function externalDataFiles(modelBytes: Uint8Array, baseDir: string): string[] {
  const files = new Set<string>();
  for (const t of readModel(modelBytes).graph?.initializer ?? []) {
    const location = isExternal(t as TensorProto) ? externalField(t as TensorProto, 'location') : undefined;
    if (location) files.add(path.resolve(baseDir, location));
  }
  return [...files];
}

function numel(t: TensorProto): number {
  return (t.dims ?? []).reduce<number>((n, d) => n * toNumber(d), 1);
}

/** The stored bytes of a raw_data or external-data tensor; undefined when the values sit in typed fields. */
function rawBytes(t: TensorProto, baseDir?: string): Uint8Array | undefined {
  if (isExternal(t)) {
    const location = externalField(t, 'location');
    if (!location) throw new OnnxModelError(t.name, 'external data without a location');
    if (!baseDir) throw new OnnxModelError(t.name, `is stored in "${location}"; pass the model's folder as baseDir`);
    const file = path.resolve(baseDir, location);
    const offset = Number(externalField(t, 'offset') ?? 0);
    const length = Number(externalField(t, 'length') ?? fs.statSync(file).size - offset);
    const out = new Uint8Array(length);
    const fd = fs.openSync(file, 'r');
    try {
      const read = fs.readSync(fd, out, 0, length, offset);
      if (read !== length) throw new OnnxModelError(t.name, `"${file}" ends before offset ${offset} + ${length}`);
    } finally {
      fs.closeSync(fd);
    }
    return out;
  }
  return t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
}

/**
 * Moves every external-data initializer's bytes into the model (raw_data), so it can be edited and saved
 * elsewhere without the side file it was read beside.
 */
export function inlineExternalData(model: ModelProto, baseDir: string): ModelProto {
  for (const t of (model.graph?.initializer ?? []) as TensorProto[]) {
    if (!isExternal(t)) continue;
    t.rawData = rawBytes(t, baseDir) ?? new Uint8Array(0);
    t.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
    t.externalData = [];
  }
  return model;
}

/**
 * An aligned copy, since raw_data may start at any byte of the model buffer. (Decoded bytes are Node
 * Buffers, whose slice() is a view, hence the explicit copy.)
 */
function view<T>(bytes: Uint8Array, make: (b: ArrayBuffer) => T): T {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return make(copy.buffer);
}

/** The initializer's values as float32, whatever float type it is stored in and wherever it is stored. */
export function getInitializerFloat32(model: ModelProto, name: string, baseDir?: string): Float32Array {
  const t = findInitializer(model, name);
  const type = elemTypeOfCode(t.dataType);
  const raw = rawBytes(t, baseDir);
  let values: Float32Array;
  switch (type) {
    case 'float32':
      values = raw ? view(raw, (b) => new Float32Array(b)) : Float32Array.from(t.floatData ?? []);
      break;
    case 'float64':
      values = Float32Array.from(raw ? view(raw, (b) => new Float64Array(b)) : t.doubleData ?? []);
      break;
    case 'float16':
    case 'bfloat16': {
      // Without raw_data, ONNX keeps 16-bit floats' bit patterns in int32_data.
      const bits = raw ? view(raw, (b) => new Uint16Array(b)) : Uint16Array.from(t.int32Data ?? []);
      values = type === 'float16' ? float16ToFloat32(bits) : bfloat16ToFloat32(bits);
      break;
    }
    default:
      throw new OnnxModelError(name, `holds ${type ?? `data type ${t.dataType}`}, not floating-point weights`);
  }
  if (values.length !== numel(t)) throw new OnnxModelError(name, `has ${values.length} values but dims [${t.dims.join(', ')}] need ${numel(t)}`);
  return values;
}

/**
 * Replaces the initializer's values, keeping its dtype (float16 stays float16). The new data is stored
 * inline, so an edited external weight no longer reads from the side file; untouched ones still do.
 */
export function setInitializerFloat32(model: ModelProto, name: string, data: Float32Array): void {
  const t = findInitializer(model, name);
  if (data.length !== numel(t)) throw new OnnxModelError(name, `got ${data.length} values, dims [${t.dims.join(', ')}] need ${numel(t)}`);
  const type = elemTypeOfCode(t.dataType);
  let raw: Uint8Array;
  switch (type) {
    case 'float32': raw = bytesOf(new Float32Array(data)); break;
    case 'float64': raw = bytesOf(Float64Array.from(data)); break;
    case 'float16': raw = bytesOf(float32ToFloat16(data)); break;
    case 'bfloat16': raw = bytesOf(float32ToBfloat16(data)); break;
    default: throw new OnnxModelError(name, `holds ${type ?? `data type ${t.dataType}`}; only float weights can be replaced`);
  }
  t.rawData = raw;
  t.floatData = [];
  t.doubleData = [];
  t.int32Data = [];
  t.externalData = [];
  t.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
}
