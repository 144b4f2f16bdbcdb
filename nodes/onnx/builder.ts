// A small ONNX graph builder: the project writes its own models (the built-in pack, test models) with it.
// Initializers are stored as raw_data, optionally in a side file like diffusers' unet/model.onnx + weights.pb.
import fs from 'node:fs';
import path from 'node:path';
import { onnx, ELEM_TYPES, bytesOf, elemTypeOfData, type ElemType, type ITensorProto, type INodeProto, type IValueInfoProto, type IAttributeProto, type TensorData } from './proto';

export type Dim = number | string;

/** A tensor name in the graph under construction (an input, initializer or node output). */
export class GraphValue {
  constructor(readonly name: string) {}
}

/** A node input: a value, a tensor name, or null for a skipped optional input. */
export type NodeInput = GraphValue | string | null;

export type TypedAttr =
  | { attr: 'int'; value: number }
  | { attr: 'float'; value: number }
  | { attr: 'ints'; value: readonly number[] }
  | { attr: 'floats'; value: readonly number[] }
  | { attr: 'string'; value: string }
  | { attr: 'strings'; value: readonly string[] }
  | { attr: 'tensor'; value: { data: TensorData; dims: readonly number[]; type?: ElemType } };

/**
 * Plain values are typed by their look: integers become INT(S), other numbers FLOAT(S), strings STRING.
 * Use `attr.float(1)` where an op wants a float that happens to be whole (Gemm alpha, Pad value).
 */
export type AttrValue = number | string | readonly number[] | readonly string[] | TypedAttr;

export const attr = {
  int: (value: number): TypedAttr => ({ attr: 'int', value }),
  float: (value: number): TypedAttr => ({ attr: 'float', value }),
  ints: (value: readonly number[]): TypedAttr => ({ attr: 'ints', value }),
  floats: (value: readonly number[]): TypedAttr => ({ attr: 'floats', value }),
  string: (value: string): TypedAttr => ({ attr: 'string', value }),
  strings: (value: readonly string[]): TypedAttr => ({ attr: 'strings', value }),
  tensor: (data: TensorData, dims: readonly number[], type?: ElemType): TypedAttr => ({ attr: 'tensor', value: { data, dims, type } }),
};

export interface OpOptions {
  /** Node name, e.g. diffusers-style `/down_blocks.0/attentions.0/.../to_q/MatMul`. */
  name?: string;
  attrs?: Record<string, AttrValue>;
  /** Output tensor name(s); default `<node name>_output_<i>`. */
  output?: string;
  outputs?: readonly string[];
  /** Operator domain, e.g. 'com.microsoft'; default the ONNX domain. */
  domain?: string;
}

export interface BuildOptions {
  opset?: number;
  irVersion?: number;
  producer?: string;
  docString?: string;
  /** Store initializers of at least `threshold` bytes (default 1024) in a side file named `location`. */
  externalData?: { location: string; threshold?: number };
}

export interface BuiltModel {
  model: Uint8Array;
  externalData?: { location: string; bytes: Uint8Array };
}

export class OnnxBuildError extends Error {
  readonly code = 'onnx_build';
  constructor(readonly graph: string, message: string) {
    super(`graph "${graph}": ${message}`);
    this.name = 'OnnxBuildError';
  }
}

interface Initializer {
  name: string;
  type: ElemType;
  dims: number[];
  data: TensorData;
}

const ATTR_TYPE = onnx.AttributeProto.AttributeType;

/** The IR version the ONNX release that introduced `opset` wrote (onnx/helper.py VERSION_TABLE). */
function irVersionFor(opset: number): number {
  if (opset <= 8) return 3;
  if (opset <= 10) return opset - 4;
  if (opset <= 12) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  if (opset <= 22) return 10;
  return 11;
}
const EXTERNAL_ALIGN = 64;

export class GraphBuilder {
  readonly #names = new Set<string>();
  readonly #inputs: IValueInfoProto[] = [];
  readonly #outputs: IValueInfoProto[] = [];
  readonly #initializers: Initializer[] = [];
  readonly #nodes: INodeProto[] = [];
  readonly #domains = new Set<string>();
  #counter = 0;

  constructor(readonly name: string) {}

  input(name: string, type: ElemType, dims: readonly Dim[]): GraphValue {
    this.#claim(name);
    this.#inputs.push(valueInfo(name, type, dims));
    return new GraphValue(name);
  }

  /** A named weight; the element type follows the array (Uint16Array = float16) unless `type` says otherwise. */
  initializer(name: string, data: TensorData, dims: readonly number[], type: ElemType = elemTypeOfData(data)): GraphValue {
    const n = dims.reduce((a, b) => a * b, 1);
    if (data.length !== n) {
      throw new OnnxBuildError(this.name, `initializer "${name}" has ${data.length} values but dims [${dims.join(', ')}] need ${n}`);
    }
    if (ELEM_TYPES[type].bytes !== data.BYTES_PER_ELEMENT) {
      throw new OnnxBuildError(this.name, `initializer "${name}": a ${data.constructor.name} cannot hold ${type}`);
    }
    this.#claim(name);
    this.#initializers.push({ name, type, dims: [...dims], data });
    return new GraphValue(name);
  }

  /** An auto-named constant: float32 from a number array, otherwise typed by the array. */
  constant(data: TensorData | readonly number[], dims: readonly number[] = [data.length], name?: string): GraphValue {
    const typed = Array.isArray(data) ? Float32Array.from(data as number[]) : (data as TensorData);
    return this.initializer(name ?? this.#fresh('const'), typed, dims);
  }

  /** A 1-D int64 constant, the usual shape/axes/indices argument. */
  int64s(values: readonly number[], name?: string): GraphValue {
    return this.initializer(name ?? this.#fresh('const'), BigInt64Array.from(values, BigInt), [values.length]);
  }

  /** A 0-d constant. */
  scalar(value: number, type: 'float32' | 'int64' = 'float32', name?: string): GraphValue {
    const data = type === 'int64' ? BigInt64Array.of(BigInt(value)) : Float32Array.of(value);
    return this.initializer(name ?? this.#fresh('const'), data, []);
  }

  /** Adds one node and returns its (first) output. */
  op(opType: string, inputs: readonly NodeInput[], opts: OpOptions = {}): GraphValue {
    return this.ops(opType, inputs, 1, opts)[0];
  }

  /** Adds one node with `outputCount` outputs. */
  ops(opType: string, inputs: readonly NodeInput[], outputCount: number, opts: OpOptions = {}): GraphValue[] {
    const nodeName = opts.name ?? this.#fresh(`/${opType}`);
    const outNames = opts.outputs ?? (opts.output ? [opts.output] : undefined)
      ?? Array.from({ length: outputCount }, (_, i) => `${nodeName}_output_${i}`);
    if (outNames.length !== outputCount) {
      throw new OnnxBuildError(this.name, `node "${nodeName}" names ${outNames.length} outputs but has ${outputCount}`);
    }
    for (const input of inputs) {
      const n = typeof input === 'string' ? input : input?.name;
      if (n && !this.#names.has(n)) throw new OnnxBuildError(this.name, `node "${nodeName}" reads "${n}", which nothing defines yet`);
    }
    outNames.forEach((n) => this.#claim(n));
    if (opts.domain) this.#domains.add(opts.domain);
    this.#nodes.push({
      name: nodeName,
      opType,
      domain: opts.domain ?? '',
      input: inputs.map((i) => (i === null ? '' : typeof i === 'string' ? i : i.name)),
      output: [...outNames],
      attribute: Object.entries(opts.attrs ?? {}).map(([k, v]) => attribute(k, v)),
    });
    return outNames.map((n) => new GraphValue(n));
  }

  /** Declares a graph output; a value with another name is passed through an Identity node. */
  output(value: GraphValue, name: string, type: ElemType, dims?: readonly Dim[]): GraphValue {
    if (value.name !== name) value = this.op('Identity', [value], { name: `/${name}/Identity`, output: name });
    this.#outputs.push(valueInfo(name, type, dims));
    return value;
  }

  build(opts: BuildOptions = {}): BuiltModel {
    if (this.#outputs.length === 0) throw new OnnxBuildError(this.name, 'declare at least one output with output()');
    const opset = opts.opset ?? 17;
    const side = opts.externalData;
    const threshold = side?.threshold ?? 1024;
    const chunks: { offset: number; bytes: Uint8Array }[] = [];
    let sideLength = 0;
    const initializer = this.#initializers.map((t): ITensorProto => {
      const bytes = bytesOf(t.data);
      const base: ITensorProto = { name: t.name, dims: t.dims, dataType: ELEM_TYPES[t.type].code };
      if (!side || bytes.byteLength < threshold) return { ...base, rawData: bytes };
      const offset = Math.ceil(sideLength / EXTERNAL_ALIGN) * EXTERNAL_ALIGN;
      chunks.push({ offset, bytes });
      sideLength = offset + bytes.byteLength;
      return {
        ...base,
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [
          { key: 'location', value: side.location },
          { key: 'offset', value: String(offset) },
          { key: 'length', value: String(bytes.byteLength) },
        ],
      };
    });
    const model = onnx.ModelProto.create({
      irVersion: opts.irVersion ?? irVersionFor(opset),
      producerName: opts.producer ?? 'stepflow',
      docString: opts.docString ?? '',
      opsetImport: [{ domain: '', version: opset }, ...[...this.#domains].map((domain) => ({ domain, version: 1 }))],
      graph: {
        name: this.name,
        node: this.#nodes,
        initializer,
        input: this.#inputs,
        output: this.#outputs,
      },
    });
    const result: BuiltModel = { model: onnx.ModelProto.encode(model).finish() };
    if (side) {
      const bytes = new Uint8Array(sideLength);
      for (const c of chunks) bytes.set(c.bytes, c.offset);
      result.externalData = { location: side.location, bytes };
    }
    return result;
  }

  /** The model as one self-contained file. */
  toBytes(opts: Omit<BuildOptions, 'externalData'> = {}): Uint8Array {
    return this.build(opts).model;
  }

  /** Writes the model file, and its side file next to it when external data is requested. */
  save(filePath: string, opts: BuildOptions = {}): void {
    const built = this.build(opts);
    fs.mkdirSync(path.dirname(filePath), { recursive: true });
    fs.writeFileSync(filePath, built.model);
    if (built.externalData) fs.writeFileSync(path.join(path.dirname(filePath), built.externalData.location), built.externalData.bytes);
  }

  #claim(name: string): void {
    if (!name) throw new OnnxBuildError(this.name, 'tensor names must not be empty');
    if (this.#names.has(name)) throw new OnnxBuildError(this.name, `tensor name "${name}" is already used`);
    this.#names.add(name);
  }

  #fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.#counter++}`;
    while (this.#names.has(name) || this.#names.has(`${name}_output_0`));
    return name;
  }
}

function valueInfo(name: string, type: ElemType, dims?: readonly Dim[]): IValueInfoProto {
  const shape = dims && { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name, type: { tensorType: { elemType: ELEM_TYPES[type].code, shape } } };
}

export function tensorProto(name: string, data: TensorData, dims: readonly number[], type: ElemType = elemTypeOfData(data)): ITensorProto {
  return { name, dims: [...dims], dataType: ELEM_TYPES[type].code, rawData: bytesOf(data) };
}

function attribute(name: string, v: AttrValue): IAttributeProto {
  const typed: TypedAttr =
    typeof v === 'object' && 'attr' in v ? v
      : typeof v === 'string' ? { attr: 'string', value: v }
        : typeof v === 'number' ? { attr: Number.isInteger(v) ? 'int' : 'float', value: v }
          : v.every((x) => typeof x === 'string') && v.length > 0 ? { attr: 'strings', value: v as readonly string[] }
            : { attr: (v as readonly number[]).every(Number.isInteger) ? 'ints' : 'floats', value: v as readonly number[] };
  const utf8 = (s: string) => new TextEncoder().encode(s);
  switch (typed.attr) {
    case 'int': return { name, type: ATTR_TYPE.INT, i: typed.value };
    case 'float': return { name, type: ATTR_TYPE.FLOAT, f: typed.value };
    case 'ints': return { name, type: ATTR_TYPE.INTS, ints: [...typed.value] };
    case 'floats': return { name, type: ATTR_TYPE.FLOATS, floats: [...typed.value] };
    case 'string': return { name, type: ATTR_TYPE.STRING, s: utf8(typed.value) };
    case 'strings': return { name, type: ATTR_TYPE.STRINGS, strings: typed.value.map(utf8) };
    case 'tensor': return { name, type: ATTR_TYPE.TENSOR, t: tensorProto(name, typed.value.data, typed.value.dims, typed.value.type) };
  }
}
