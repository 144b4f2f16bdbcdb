// PNG text chunks without Node or image libraries (the editor reads dropped files too): chunk
// walking with CRC checks, tEXt/iTXt reading, and tEXt / uncompressed UTF-8 iTXt writing after IHDR.
import { WorkflowImportError } from './errors';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export interface PngChunk {
  type: string;
  /** Offset of the chunk's length field in the file. */
  offset: number;
  data: Uint8Array;
  crcOk: boolean;
}

export interface PngTextEntry {
  keyword: string;
  /** Decoded text; undefined when the chunk is compressed or its CRC is wrong. */
  text?: string;
  problem?: 'compressed' | 'crc' | 'malformed';
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(parts: readonly Uint8Array[]): number {
  let c = 0xffffffff;
  for (const buf of parts) for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const ascii = (bytes: Uint8Array) => String.fromCharCode(...bytes);
const latin1 = (bytes: Uint8Array) => Array.from(bytes, (b) => String.fromCharCode(b)).join('');

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

/** Every chunk up to IEND. Throws invalid_png for a bad signature or a chunk running past the end. */
export function readPngChunks(png: Uint8Array): PngChunk[] {
  if (!isPng(png)) throw new WorkflowImportError('invalid_png', 'not a PNG file (bad signature)');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: PngChunk[] = [];
  let o = 8;
  while (o < png.length) {
    if (o + 12 > png.length) throw new WorkflowImportError('invalid_png', `PNG truncated at byte ${o}`);
    const len = view.getUint32(o);
    const type = ascii(png.subarray(o + 4, o + 8));
    if (o + 12 + len > png.length) throw new WorkflowImportError('invalid_png', `PNG chunk ${type} at byte ${o} runs past the end of the file`);
    const data = png.subarray(o + 8, o + 8 + len);
    const crcOk = view.getUint32(o + 8 + len) === crc32([png.subarray(o + 4, o + 8), data]);
    chunks.push({ type, offset: o, data, crcOk });
    o += 12 + len;
    if (type === 'IEND') break;
  }
  if (chunks[0]?.type !== 'IHDR') throw new WorkflowImportError('invalid_png', 'PNG does not start with an IHDR chunk');
  return chunks;
}

/** tEXt as written by others may hold UTF-8 although the standard says Latin-1: take UTF-8 when it decodes. */
function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return latin1(bytes);
  }
}

function parseTextChunk(c: PngChunk): PngTextEntry | null {
  if (c.type !== 'tEXt' && c.type !== 'iTXt' && c.type !== 'zTXt') return null;
  const nul = c.data.indexOf(0);
  if (nul <= 0) return { keyword: '', problem: 'malformed' };
  const keyword = latin1(c.data.subarray(0, nul));
  if (!c.crcOk) return { keyword, problem: 'crc' };
  if (c.type === 'zTXt') return { keyword, problem: 'compressed' };
  if (c.type === 'tEXt') return { keyword, text: decodeText(c.data.subarray(nul + 1)) };
  // iTXt: keyword \0 compression-flag method language \0 translated-keyword \0 text
  if (nul + 3 > c.data.length) return { keyword, problem: 'malformed' };
  if (c.data[nul + 1] !== 0) return { keyword, problem: 'compressed' };
  const langEnd = c.data.indexOf(0, nul + 3);
  const transEnd = langEnd < 0 ? -1 : c.data.indexOf(0, langEnd + 1);
  if (transEnd < 0) return { keyword, problem: 'malformed' };
  try {
    return { keyword, text: new TextDecoder('utf-8', { fatal: true }).decode(c.data.subarray(transEnd + 1)) };
  } catch {
    return { keyword, problem: 'malformed' };
  }
}

/** Text entries in file order (tEXt, iTXt; zTXt and compressed iTXt are listed with problem "compressed"). */
export function readPngTextEntries(png: Uint8Array): PngTextEntry[] {
  return readPngChunks(png).map(parseTextChunk).filter((e): e is PngTextEntry => e !== null);
}

function chunkBytes(type: string, data: Uint8Array): Uint8Array {
  const typeBytes = new Uint8Array([...type].map((ch) => ch.charCodeAt(0)));
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(typeBytes, 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32([typeBytes, data]));
  return out;
}

/** An uncompressed iTXt chunk: UTF-8 by definition, unlike tEXt. */
export function iTxtChunk(keyword: string, text: string): Uint8Array {
  if (!/^[\x20-\x7e]{1,79}$/.test(keyword) || keyword.trim() !== keyword) throw new RangeError(`PNG keyword "${keyword}" must be 1-79 printable ASCII characters`);
  const key = new Uint8Array([...keyword].map((ch) => ch.charCodeAt(0)));
  const body = new TextEncoder().encode(text);
  // keyword \0, compression flag 0, method 0, empty language \0, empty translated keyword \0
  const data = new Uint8Array(key.length + 5 + body.length);
  data.set(key, 0);
  data.set(body, key.length + 5);
  return chunkBytes('iTXt', data);
}

/**
 * The PNG with its text entries for `entries`' keywords replaced: old tEXt/iTXt/zTXt chunks of
 * those keywords are removed and new iTXt chunks go right after IHDR (pixels are untouched).
 */
export function setPngText(png: Uint8Array, entries: Record<string, string>): Uint8Array {
  const chunks = readPngChunks(png);
  const keys = new Set(Object.keys(entries));
  const kept = chunks.filter((c) => !keys.has(parseTextChunk(c)?.keyword ?? '\0'));
  const added = Object.entries(entries).map(([k, v]) => iTxtChunk(k, v));
  const pieces: Uint8Array[] = [png.subarray(0, 8)];
  kept.forEach((c, i) => {
    pieces.push(png.subarray(c.offset, c.offset + 12 + c.data.length));
    if (i === 0) pieces.push(...added);
  });
  return concatBytes(pieces);
}

/** A tEXt chunk: Latin-1 keyword; the text as UTF-8 (what readers here and ComfyUI expect in practice). */
export function tExtChunk(keyword: string, text: string): Uint8Array {
  const key = new Uint8Array([...keyword].map((ch) => ch.charCodeAt(0) & 0xff));
  const body = new TextEncoder().encode(text);
  const data = new Uint8Array(key.length + 1 + body.length);
  data.set(key, 0);
  data.set(body, key.length + 1);
  return chunkBytes('tEXt', data);
}

/** The PNG with `chunks` inserted right after its IHDR chunk (signature 8 + IHDR 25 bytes). */
export function insertAfterIhdr(png: Uint8Array, chunks: readonly Uint8Array[]): Uint8Array {
  const ihdrEnd = 8 + 12 + 13;
  return concatBytes([png.subarray(0, ihdrEnd), ...chunks, png.subarray(ihdrEnd)]);
}

function concatBytes(pieces: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of pieces) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
