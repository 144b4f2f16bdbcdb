// Image <-> tensor via sharp: NCHW float RGB(A) in [0,1] on one side, encoded files on the other.
import sharp from 'sharp';
import { insertAfterIhdr, tExtChunk } from '../interop/png-chunks';
import { beforeNativeCall } from './native-calls';
import type { Tensor } from './tensor';

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export const MIME: Record<ImageFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

/** A file larger than the decode limit; its size comes from the header, nothing was decoded. */
export class ImageTooLargeError extends Error {
  readonly code = 'image_too_large';
  constructor(readonly width: number, readonly height: number, readonly maxPixels: number) {
    super(`the image is ${width}x${height} (${width * height} pixels), above the limit of ${maxPixels} pixels`);
    this.name = 'ImageTooLargeError';
  }
}

/**
 * Decode any format sharp reads into a [1, C, H, W] tensor (C = 3, or 4 with keepAlpha). With `maxPixels` the
 * header is read first, so a too-large file is refused (ImageTooLargeError) before its pixels are allocated.
 */
export async function decodeImage(input: Uint8Array | string, opts: { keepAlpha?: boolean; maxPixels?: number } = {}): Promise<Tensor> {
  beforeNativeCall();
  if (opts.maxPixels !== undefined) {
    const { width = 0, height = 0 } = await sharp(input, { limitInputPixels: false }).metadata();
    if (width * height > opts.maxPixels) throw new ImageTooLargeError(width, height, opts.maxPixels);
  }
  // sharp's own limit too: a header that lies about the size must not get past it.
  let img = sharp(input, { failOn: 'error', ...(opts.maxPixels !== undefined ? { limitInputPixels: opts.maxPixels } : {}) }).rotate();
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
  const data = t.data;
  // Channel by channel over a plane: reads run in order, and the loop stays small enough for the JIT to keep tight.
  for (let c = 0; c < channels; c++) {
    const from = base + c * plane;
    for (let i = 0, o = c; i < plane; i++, o += channels) {
      const v = data[from + i];
      // Round half up, as Math.round does for these non-negative values; NaN falls to 0 as before.
      out[o] = v > 0 ? (v < 1 ? (v * 255 + 0.5) | 0 : 255) : 0;
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
  beforeNativeCall();
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
  return insertAfterIhdr(png, Object.entries(text).map(([k, v]) => tExtChunk(k, v)));
}

export type ResizeKernel = 'nearest' | 'linear' | 'cubic' | 'mitchell' | 'lanczos2' | 'lanczos3';

export async function resizeImage(t: Tensor, width: number, height: number, kernel: ResizeKernel): Promise<Tensor> {
  const px = tensorToHwc(t);
  beforeNativeCall();
  const { data, info } = await sharp(px.data, { raw: { width: px.width, height: px.height, channels: px.channels as 3 | 4 } })
    .resize(width, height, { fit: 'fill', kernel })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return hwcToTensor(data, info.width, info.height, info.channels);
}
