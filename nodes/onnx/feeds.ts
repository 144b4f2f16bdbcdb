// What goes into and comes out of a session run: feeds checked against the model's inputs and converted to
// the element types it declares, outputs widened back, so nodes never care about fp16 models or int64 ids.
// It loads no onnxruntime, so model classes (which the web process loads via the registry) import from here.
import { bfloat16ToFloat32, float16ToFloat32, float32ToFloat16 } from '../runtime/float16';

/** Element types ONNX Runtime reports in session metadata. */
export type TensorType =
  | 'float32' | 'float16' | 'float64' | 'int8' | 'uint8' | 'int16' | 'uint16'
  | 'int32' | 'int64' | 'uint32' | 'uint64' | 'bool' | 'string' | 'uint4' | 'int4' | 'bfloat16';

export type FeedData =
  | Float32Array | Float64Array | Uint16Array | Int8Array | Uint8Array | Int16Array
  | Int32Array | BigInt64Array | Uint32Array | BigUint64Array;

export interface FeedValue {
  data: FeedData;
  dims: readonly number[];
}

/** float16/bfloat16 outputs arrive as Float32Array; integer outputs keep their typed array. */
export type OutputData = Exclude<FeedData, Uint16Array> | Uint16Array | string[];

export interface TensorInfo {
  name: string;
  type: TensorType | 'non-tensor';
  dims: (number | string)[];
}

export interface RunOutput {
  /** The element type the model produced (before float16 widening). */
  type: TensorType;
  dims: number[];
  data: OutputData;
}

export class OnnxRunError extends Error {
  readonly code = 'onnx_run';
  constructor(readonly modelKey: string, message: string, options?: { cause?: unknown }) {
    super(`model "${modelKey}": ${message}`, options);
    this.name = 'OnnxRunError';
  }
}

function describe(list: readonly { name: string; type: string; dims: readonly (number | string)[] }[]): string {
  return list.map((t) => `${t.name} ${t.type} [${t.dims.join(', ')}]`).join('; ') || 'nothing';
}

/** An OnnxRunError that lists the feeds given next to the inputs the model expects. */
export function runError(key: string, inputs: readonly TensorInfo[], feeds: Record<string, FeedValue>, reason: string, cause?: unknown): OnnxRunError {
  const given = Object.entries(feeds).map(([name, f]) => ({ name, type: f.data.constructor.name, dims: f.dims }));
  return new OnnxRunError(key, `${reason}. Given: ${describe(given)}. Expected: ${describe(inputs)}`, { cause });
}

/** Feeds checked against the model's inputs (names, dims, sizes) and converted; every problem is reported at once. */
export function prepareFeeds(key: string, inputs: readonly TensorInfo[], feeds: Record<string, FeedValue>): Record<string, { type: TensorType; data: FeedData; dims: number[] }> {
  const problems: string[] = [];
  const out: Record<string, { type: TensorType; data: FeedData; dims: number[] }> = {};
  for (const name of Object.keys(feeds)) {
    if (!inputs.some((i) => i.name === name)) problems.push(`unknown input "${name}"`);
  }
  for (const info of inputs) {
    const feed = feeds[info.name];
    if (!feed) {
      problems.push(`missing input "${info.name}"`);
      continue;
    }
    const n = feed.dims.reduce((a, b) => a * b, 1);
    if (feed.data.length !== n) problems.push(`input "${info.name}" has ${feed.data.length} values but dims [${feed.dims.join(', ')}] need ${n}`);
    if (feed.dims.length !== info.dims.length || info.dims.some((d, i) => typeof d === 'number' && d !== feed.dims[i])) {
      problems.push(`input "${info.name}" has dims [${feed.dims.join(', ')}], the model wants [${info.dims.join(', ')}]`);
    }
    if (problems.length) continue;
    try {
      const type = info.type as TensorType;
      out[info.name] = { type, data: convertFeed(info.name, feed.data, type), dims: [...feed.dims] };
    } catch (e) {
      if (!(e instanceof FeedTypeError)) throw e;
      problems.push(e.message);
    }
  }
  if (problems.length) throw runError(key, inputs, feeds, problems.join('; '));
  return out;
}

/** Thrown for a feed that cannot be represented in the input's element type; the runtime adds model context. */
export class FeedTypeError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'FeedTypeError';
  }
}

const ARRAY_OF: Partial<Record<TensorType, { name: string; is: (d: FeedData) => boolean }>> = {
  float32: { name: 'Float32Array', is: (d) => d instanceof Float32Array },
  float16: { name: 'Uint16Array', is: (d) => d instanceof Uint16Array },
  float64: { name: 'Float64Array', is: (d) => d instanceof Float64Array },
  int8: { name: 'Int8Array', is: (d) => d instanceof Int8Array },
  uint8: { name: 'Uint8Array', is: (d) => d instanceof Uint8Array },
  bool: { name: 'Uint8Array', is: (d) => d instanceof Uint8Array },
  int16: { name: 'Int16Array', is: (d) => d instanceof Int16Array },
  uint16: { name: 'Uint16Array', is: (d) => d instanceof Uint16Array },
  int32: { name: 'Int32Array', is: (d) => d instanceof Int32Array },
  int64: { name: 'BigInt64Array', is: (d) => d instanceof BigInt64Array },
  uint32: { name: 'Uint32Array', is: (d) => d instanceof Uint32Array },
  uint64: { name: 'BigUint64Array', is: (d) => d instanceof BigUint64Array },
};

const isFloat = (d: FeedData) => d instanceof Float32Array || d instanceof Float64Array;

/** Numbers of any feed; a Uint16Array is read as float16 bits, the project's convention for half data. */
function asNumbers(d: FeedData): ArrayLike<number> {
  if (d instanceof Uint16Array) return float16ToFloat32(d);
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return Array.from(d, Number);
  return d;
}

function integral(d: FeedData, input: string, want: string): ArrayLike<number> {
  const values = asNumbers(d);
  if (isFloat(d) || d instanceof Uint16Array) {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isInteger(values[i])) {
        throw new FeedTypeError(`input "${input}" wants ${want} but value ${values[i]} at index ${i} is not a whole number; round it first`);
      }
    }
  }
  return values;
}

/** The feed's data in the element type `want`, or a FeedTypeError that says what to pass instead. */
export function convertFeed(input: string, data: FeedData, want: TensorType): FeedData {
  const native = ARRAY_OF[want];
  if (native?.is(data)) return data;
  switch (want) {
    case 'float32': return Float32Array.from(asNumbers(data));
    case 'float64': return Float64Array.from(asNumbers(data));
    case 'float16': return float32ToFloat16(asNumbers(data));
    case 'int32': {
      const v = integral(data, input, want);
      const out = new Int32Array(v.length);
      for (let i = 0; i < v.length; i++) {
        if (v[i] > 2147483647 || v[i] < -2147483648) throw new FeedTypeError(`input "${input}" wants int32 but ${v[i]} does not fit`);
        out[i] = v[i];
      }
      return out;
    }
    case 'int64': return BigInt64Array.from(integral(data, input, want) as ArrayLike<number>, (x) => BigInt(x));
  }
  throw new FeedTypeError(`input "${input}" wants ${want}; pass a ${native?.name ?? `${want} array`} (got ${data.constructor.name})`);
}

/** Output data with half types widened to float32. */
export function convertOutput(type: TensorType, data: OutputData): OutputData {
  if (type === 'float16') return float16ToFloat32(data as Uint16Array);
  if (type === 'bfloat16') return bfloat16ToFloat32(data as Uint16Array);
  return data;
}

/** A float32 view of any numeric output (copy unless it already is float32), for nodes that want a Tensor. */
export function outputFloat32(out: RunOutput): Float32Array {
  if (out.data instanceof Float32Array) return out.data;
  if (Array.isArray(out.data)) throw new FeedTypeError(`a ${out.type} output has no numbers`);
  if (out.data instanceof Uint16Array) return Float32Array.from(out.data); // uint16 proper; halves are already widened
  return Float32Array.from(asNumbers(out.data as FeedData));
}
