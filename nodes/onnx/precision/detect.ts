// The numeric precision an .onnx file computes in (fp32, fp16, bf16, int8, int4), read without loading its
// weights: a streaming walk over the protobuf that keeps op types, node inputs and initializer types and
// skips raw_data by seeking. A 1.7 GB single-file fp16 U-Net costs a few thousand small reads, not 1.7 GB.
import fs from 'node:fs';

export type Precision = 'fp32' | 'fp16' | 'bf16' | 'int8' | 'int4';

/** Ops that only exist in quantised graphs (ONNX and ONNX Runtime's com.microsoft contrib ops). */
const INT8_OPS = new Set([
  'QuantizeLinear', 'DequantizeLinear', 'DynamicQuantizeLinear', 'MatMulInteger', 'ConvInteger', 'QLinearConv', 'QLinearMatMul',
  'QLinearAdd', 'QLinearMul', 'QGemm', 'QAttention', 'DynamicQuantizeMatMul', 'MatMulIntegerToFloat', 'DynamicQuantizeLSTM',
]);
const INT4_OPS = new Set(['MatMulNBits', 'MatMulBnb4']);
/** Ops whose input 1 is the weight that sets the compute precision. */
const WEIGHTED = new Set(['Conv', 'ConvTranspose', 'MatMul', 'Gemm']);
const FLOAT_TYPES: Record<number, Precision> = { 1: 'fp32', 10: 'fp16', 16: 'bf16' };

const CHUNK = 1 << 16;

/** Sequential protobuf reads over a file descriptor, with a 64 KiB window and free forward seeks. */
class WireReader {
  pos = 0;
  #buf = Buffer.alloc(CHUNK);
  #start = 0;
  #end = 0;
  constructor(private readonly fd: number, readonly size: number) {}

  byte(): number {
    if (this.pos < this.#start || this.pos >= this.#end) {
      if (this.pos >= this.size) throw new RangeError('truncated protobuf');
      this.#start = this.pos;
      this.#end = this.pos + fs.readSync(this.fd, this.#buf, 0, CHUNK, this.pos);
    }
    return this.#buf[this.pos++ - this.#start];
  }

  /** Varints up to 2^53 (arithmetic, not bit shifts, which stop at 32 bits). */
  varint(): number {
    let value = 0, scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    throw new RangeError('varint too long');
  }

  string(length: number): string {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.byte();
    return out.toString('utf8');
  }

  /** Skips a field's payload of wire type `wt`. */
  skip(wt: number): void {
    if (wt === 0) this.varint();
    else if (wt === 1) this.pos += 8;
    else if (wt === 2) {
      const length = this.varint(); // read before `pos` is: `pos += varint()` would add to the stale position
      this.pos += length;
    }
    else if (wt === 5) this.pos += 4;
    else throw new RangeError(`unsupported wire type ${wt}`);
  }

  /** Calls `field(number, wireType)` for each field up to `end`; the callback reads or skips the payload. */
  fields(end: number, field: (n: number, wt: number) => void): void {
    while (this.pos < end) {
      const tag = this.varint();
      const before = this.pos;
      field(Math.floor(tag / 8), tag & 7);
      if (this.pos === before) this.skip(tag & 7);
    }
  }
}

interface GraphSummary {
  ops: Set<string>;
  weights: Set<string>;
  /** Elements per float data type code, over all initializers and over weights only. */
  all: Map<number, number>;
  weighted: Map<string, { type: number; elements: number }>;
}

function readNode(r: WireReader, end: number, s: GraphSummary): void {
  const inputs: string[] = [];
  let op = '';
  r.fields(end, (n, wt) => {
    if (n === 1 && wt === 2) inputs.push(r.string(r.varint())); // input
    else if (n === 4 && wt === 2) op = r.string(r.varint()); // op_type
    else r.skip(wt);
  });
  s.ops.add(op);
  if (WEIGHTED.has(op) && inputs[1]) s.weights.add(inputs[1]);
}

function readTensor(r: WireReader, end: number, s: GraphSummary): void {
  let type = 0, elements = 1, name = '';
  r.fields(end, (n, wt) => {
    if (n === 1 && wt === 0) elements *= r.varint(); // dims, unpacked
    else if (n === 1 && wt === 2) {
      const limit = r.varint() + r.pos; // the length is read first, then added to the position after it
      while (r.pos < limit) elements *= r.varint(); // dims, packed
    } else if (n === 2 && wt === 0) type = r.varint(); // data_type
    else if (n === 8 && wt === 2) name = r.string(r.varint()); // name
    else r.skip(wt);
  });
  if (!FLOAT_TYPES[type]) return;
  s.all.set(type, (s.all.get(type) ?? 0) + elements);
  s.weighted.set(name, { type, elements });
}

function summarise(file: string): GraphSummary {
  const s: GraphSummary = { ops: new Set(), weights: new Set(), all: new Map(), weighted: new Map() };
  const fd = fs.openSync(file, 'r');
  try {
    const r = new WireReader(fd, fs.fstatSync(fd).size);
    r.fields(r.size, (n, wt) => {
      if (n !== 7 || wt !== 2) return r.skip(wt); // ModelProto.graph
      const graphEnd = r.varint() + r.pos;
      r.fields(graphEnd, (g, gwt) => {
        if (gwt !== 2 || (g !== 1 && g !== 5)) return r.skip(gwt);
        const end = r.varint() + r.pos;
        if (g === 1) readNode(r, end, s); // GraphProto.node
        else readTensor(r, end, s); // GraphProto.initializer
        r.pos = end;
      });
    });
  } finally {
    fs.closeSync(fd);
  }
  return s;
}

function majority(counts: Map<number, number>): Precision | undefined {
  let best: number | undefined, most = 0;
  for (const [type, n] of counts) if (n > most) [best, most] = [type, n];
  return best === undefined ? undefined : FLOAT_TYPES[best];
}

/**
 * The precision of the model's compute: int8/int4 when it has quantised ops, else the float type holding most
 * Conv/MatMul/Gemm weight elements (an fp16 embedding table does not make an fp32 encoder fp16), else the
 * float type of most initializer elements. Undefined when the file is not a readable ONNX model.
 */
export function detectPrecision(file: string): Precision | undefined {
  let s: GraphSummary;
  try {
    s = summarise(file);
  } catch {
    return undefined; // not ONNX, truncated or unreadable: the listing shows no precision
  }
  if ([...s.ops].some((op) => INT4_OPS.has(op))) return 'int4';
  if ([...s.ops].some((op) => INT8_OPS.has(op))) return 'int8';
  const weights = new Map<number, number>();
  for (const name of s.weights) {
    const w = s.weighted.get(name);
    if (w) weights.set(w.type, (weights.get(w.type) ?? 0) + w.elements);
  }
  return majority(weights) ?? majority(s.all);
}
