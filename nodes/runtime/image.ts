// Image <-> tensor via sharp: NCHW float RGB(A) in [0,1] on one side, encoded files on the other.
import sharp from 'sharp';
import type { Tensor } from './tensor';

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export const MIME: Record<ImageFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

/** Decode any format sharp reads into a [1, C, H, W] tensor (C = 3, or 4 with keepAlpha). */
export async function decodeImage(input: Uint8Array | string, opts: { keepAlpha?: boolean } = {}): Promise<Tensor> {
  let img = sharp(input, { failOn: 'error' }).rotate();
  img = opts.keepAlpha ? img.ensureAlpha() : img.removeAlpha();
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return hwcToTensor(data, info.width, info.height, info.channels);
}

export function hwcToTensor(hwc: Uint8Array, width: number, height: number, channels: number): Tensor {
  const plane = width * height;
  const out = new Float32Array(channels * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < channels; c++) out[c * plane + i] = hwc[i * channels + c] / 255;
  }
  return { data: out, dims: [1, channels, height, width] };
}

/** Batch item `b` as interleaved 8-bit pixels (rounded, clamped). */
export function tensorToHwc(t: Tensor, b = 0): { data: Uint8Array; width: number; height: number; channels: number } {
  const [, channels, height, width] = t.dims;
  const plane = width * height;
  const base = b * channels * plane;
  const out = new Uint8Array(plane * channels);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < channels; c++) {
      const v = t.data[base + c * plane + i];
      out[i * channels + c] = v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255);
    }
  }
  return { data: out, width, height, channels };
}

export interface EncodeOptions {
  format: ImageFormat;
  quality?: number;
  /** Fit inside this box (previews); never enlarges. */
  maxSize?: number;
  /** PNG text chunks (e.g. the graph that made the image). */
  text?: Record<string, string>;
  batchIndex?: number;
}

export async function encodeImage(t: Tensor, opts: EncodeOptions): Promise<{ bytes: Uint8Array; width: number; height: number }> {
  const px = tensorToHwc(t, opts.batchIndex ?? 0);
  let img = sharp(px.data, { raw: { width: px.width, height: px.height, channels: px.channels as 3 | 4 } });
  if (opts.maxSize && (px.width > opts.maxSize || px.height > opts.maxSize)) {
    img = img.resize(opts.maxSize, opts.maxSize, { fit: 'inside', kernel: 'nearest' });
  }
  if (opts.format === 'png') {
    img = img.png({ compressionLevel: 6 });
  } else if (opts.format === 'jpeg') {
    img = img.jpeg({ quality: opts.quality ?? 85 });
  } else {
    img = img.webp({ quality: opts.quality ?? 85 });
  }
  const { data, info } = await img.toBuffer({ resolveWithObject: true });
  const bytes = opts.format === 'png' && opts.text ? addPngText(new Uint8Array(data), opts.text) : new Uint8Array(data);
  return { bytes, width: info.width, height: info.height };
}

/** Insert tEXt chunks right after IHDR (sharp has no API to write arbitrary PNG text). */
export function addPngText(png: Uint8Array, text: Record<string, string>): Uint8Array {
  const ihdrEnd = 8 + 4 + 4 + 13 + 4;
  const chunks = Object.entries(text).map(([k, v]) => pngChunk('tEXt', Buffer.concat([Buffer.from(k, 'latin1'), Buffer.from([0]), Buffer.from(v, 'utf8')])));
  return Buffer.concat([png.subarray(0, ihdrEnd), ...chunks, png.subarray(ihdrEnd)]);
}

export function readPngText(png: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const view = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  let o = 8;
  while (o + 8 <= view.length) {
    const len = view.readUInt32BE(o);
    const type = view.toString('latin1', o + 4, o + 8);
    if (type === 'tEXt') {
      const body = view.subarray(o + 8, o + 8 + len);
      const nul = body.indexOf(0);
      out[body.toString('latin1', 0, nul)] = body.toString('utf8', nul + 1);
    }
    if (type === 'IEND') break;
    o += 12 + len;
  }
  return out;
}

function pngChunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
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

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export type ResizeKernel = 'nearest' | 'linear' | 'cubic' | 'mitchell' | 'lanczos2' | 'lanczos3';

export async function resizeImage(t: Tensor, width: number, height: number, kernel: ResizeKernel): Promise<Tensor> {
  const px = tensorToHwc(t);
  const { data, info } = await sharp(px.data, { raw: { width: px.width, height: px.height, channels: px.channels as 3 | 4 } })
    .resize(width, height, { fit: 'fill', kernel })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return hwcToTensor(data, info.width, info.height, info.channels);
}
