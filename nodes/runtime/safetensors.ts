// The safetensors format (LoRA files): a validating reader that hands out float32 weights, and a writer
// for the project's own generators. Layout: u64 LE header length N, N bytes of JSON header, data section.
import fs from 'node:fs';
import { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from './float16';

/** Bytes per element of every dtype the format defines; only the float ones can be read as weights. */
const DTYPE_BYTES = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
} as const;
export type SafetensorsDtype = keyof typeof DTYPE_BYTES;
const FLOAT_DTYPES: readonly SafetensorsDtype[] = ['F16', 'BF16', 'F32', 'F64'];

/** The reference implementation refuses headers above 100 MB; a larger one is a corrupt length field. */
export const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';

export class SafetensorsError extends Error {
  readonly code = 'safetensors_invalid';
  constructor(readonly file: string, readonly tensor: string | undefined, message: string) {
    super(`${file}${tensor ? `, tensor "${tensor}"` : ''}: ${message}`);
    this.name = 'SafetensorsError';
  }
}

export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range inside the data section, as stored. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  entries: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
  /** File offset where the data section starts (8 + header length). */
  dataStart: number;
}

/** A validated file held in memory; weights come out as float32 whatever their stored float type. */
export class SafetensorsFile {
  constructor(
    readonly file: string,
    readonly header: SafetensorsHeader,
    private readonly bytes: Uint8Array,
  ) {}

  get metadata(): Record<string, string> {
    return this.header.metadata;
  }

  names(): string[] {
    return [...this.header.entries.keys()];
  }

  has(name: string): boolean {
    return this.header.entries.has(name);
  }

  entry(name: string): SafetensorsEntry {
    const e = this.header.entries.get(name);
    if (!e) throw new SafetensorsError(this.file, name, 'no such tensor in the file');
    return e;
  }

  /** The tensor's values widened to float32; integer, bool and 8-bit float tensors are refused. */
  float32(name: string): Float32Array {
    const e = this.entry(name);
    if (!FLOAT_DTYPES.includes(e.dtype)) {
      throw new SafetensorsError(this.file, name, `holds ${e.dtype} values; only ${FLOAT_DTYPES.join(', ')} tensors can be read as weights`);
    }
    // A copy, so the typed array is aligned whatever the offset (Buffer.slice would be a view).
    const copy = new Uint8Array(e.end - e.begin);
    copy.set(this.bytes.subarray(this.header.dataStart + e.begin, this.header.dataStart + e.end));
    switch (e.dtype) {
      case 'F32': return new Float32Array(copy.buffer);
      case 'F64': return Float32Array.from(new Float64Array(copy.buffer));
      case 'F16': return float16ToFloat32(new Uint16Array(copy.buffer));
      default: return bfloat16ToFloat32(new Uint16Array(copy.buffer));
    }
  }
}

function isNonNegativeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Reads and checks the header: every entry's dtype, shape, size and byte range against the file length. */
export function parseHeader(prefix: Uint8Array, fileLength: number, file: string): SafetensorsHeader {
  if (fileLength < 8 || prefix.byteLength < 8) throw new SafetensorsError(file, undefined, `is ${fileLength} bytes, too short for a safetensors file (truncated?)`);
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) throw new SafetensorsError(file, undefined, `header length ${n} exceeds ${MAX_HEADER_BYTES} bytes; not a safetensors file or corrupt`);
  const headerLength = Number(n);
  const dataStart = 8 + headerLength;
  if (dataStart > fileLength) {
    throw new SafetensorsError(file, undefined, `header length ${headerLength} runs past the end of the ${fileLength}-byte file (truncated download?)`);
  }
  if (prefix.byteLength < dataStart) throw new SafetensorsError(file, undefined, 'the header could not be read completely');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(prefix.subarray(8, dataStart)));
  } catch (e) {
    throw new SafetensorsError(file, undefined, `header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new SafetensorsError(file, undefined, 'header must be a JSON object');
  const dataLength = fileLength - dataStart;
  const entries = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      metadata = parseMetadata(raw, file);
      continue;
    }
    entries.set(name, parseEntry(name, raw, dataLength, file));
  }
  const sorted = [...entries.values()].sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1], cur = sorted[i];
    if (cur.begin < prev.end) throw new SafetensorsError(file, cur.name, `bytes [${cur.begin}, ${cur.end}) overlap tensor "${prev.name}" [${prev.begin}, ${prev.end})`);
  }
  return { entries, metadata, dataStart };
}

function parseMetadata(raw: unknown, file: string): Record<string, string> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new SafetensorsError(file, undefined, `"${METADATA_KEY}" must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'string') throw new SafetensorsError(file, undefined, `"${METADATA_KEY}.${k}" must be a string`);
    out[k] = v;
  }
  return out;
}

function parseEntry(name: string, raw: unknown, dataLength: number, file: string): SafetensorsEntry {
  const fail = (m: string) => new SafetensorsError(file, name, m);
  if (raw === null || typeof raw !== 'object') throw fail('header entry must be an object with dtype, shape and data_offsets');
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) {
    throw fail(`unknown dtype ${JSON.stringify(dtype)}; expected one of ${Object.keys(DTYPE_BYTES).join(', ')}`);
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInt)) throw fail(`shape ${JSON.stringify(shape)} must be a list of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInt)) {
    throw fail(`data_offsets ${JSON.stringify(offsets)} must be [begin, end]`);
  }
  const [begin, end] = offsets as number[];
  if (end < begin) throw fail(`data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength) throw fail(`data_offsets [${begin}, ${end}] run past the ${dataLength}-byte data section (truncated file?)`);
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  const size = count * DTYPE_BYTES[dtype as SafetensorsDtype];
  if (size !== end - begin) throw fail(`shape [${shape.join(', ')}] of ${dtype} needs ${size} bytes but data_offsets span ${end - begin}`);
  return { name, dtype: dtype as SafetensorsDtype, shape: [...(shape as number[])], begin, end };
}

export function parseSafetensors(bytes: Uint8Array, file = '<memory>'): SafetensorsFile {
  return new SafetensorsFile(file, parseHeader(bytes, bytes.byteLength, file), bytes);
}

export function readSafetensors(file: string): SafetensorsFile {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new SafetensorsError(file, undefined, `cannot read the file (${(e as Error).message})`);
  }
  return parseSafetensors(bytes, file);
}

/** Only the header (for listing a file's tensors without reading its weights). */
export function readSafetensorsHeader(file: string): SafetensorsHeader {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const head = new Uint8Array(Math.min(size, 8));
    fs.readSync(fd, head, 0, head.length, 0);
    if (size < 8) return parseHeader(head, size, file);
    const n = new DataView(head.buffer).getBigUint64(0, true);
    const want = n > BigInt(MAX_HEADER_BYTES) ? 8 : Math.min(size, 8 + Number(n));
    const prefix = new Uint8Array(want);
    fs.readSync(fd, prefix, 0, want, 0);
    return parseHeader(prefix, size, file);
  } finally {
    fs.closeSync(fd);
  }
}

/** A tensor to write: float32 values stored as `dtype` (default F32). */
export interface TensorToWrite {
  shape: readonly number[];
  data: Float32Array;
  dtype?: 'F32' | 'F16' | 'BF16';
}

/**
 * The file's bytes: tensors in name order, packed back to back, header padded with spaces to a multiple of
 * 8 bytes (as the reference writer does) so the data section stays aligned. Deterministic for equal input.
 */
export function encodeSafetensors(tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) header[METADATA_KEY] = Object.fromEntries(Object.entries(metadata).sort());
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    if (name === METADATA_KEY) throw new SafetensorsError('<writer>', name, 'is reserved for metadata');
    const t = tensors[name];
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new SafetensorsError('<writer>', name, `has ${t.data.length} values but shape [${t.shape.join(', ')}] needs ${count}`);
    const dtype = t.dtype ?? 'F32';
    const typed = dtype === 'F32' ? new Float32Array(t.data) : dtype === 'F16' ? float32ToFloat16(t.data) : float32ToBfloat16(t.data);
    const blob = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + blob.byteLength] };
    blobs.push(blob);
    offset += blob.byteLength;
  }
  let json = JSON.stringify(header);
  const jsonBytes = () => new TextEncoder().encode(json);
  json += ' '.repeat((8 - (jsonBytes().byteLength % 8)) % 8);
  const head = jsonBytes();
  const out = new Uint8Array(8 + head.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.byteLength), true);
  out.set(head, 8);
  let at = 8 + head.byteLength;
  for (const b of blobs) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out;
}

export function writeSafetensors(file: string, tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): void {
  fs.writeFileSync(file, encodeSafetensors(tensors, metadata));
}
