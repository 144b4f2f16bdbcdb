// A latent drawn as a preview picture: latentToRgb per latent cell, shown 8 px per cell (nearest) within maxSize,
// as a PNG written here. The picture is flat blocks, so PNG's row filters turn it into runs of zeros: deflate takes
// ~0.1 ms and the file is a few KB, where an image library's per-call overhead (~1 ms of CPU per frame) is what a
// watched sampler used to pay for. Lossless, so the live view and the timeline show the latent exactly.
import zlib from 'node:zlib';
import type { Tensor } from '../runtime/tensor';
import { latentToRgb, type LatentRgb } from './latent-rgb';

/** Pixels per latent cell in previews (SD's VAE factor). */
export const PREVIEW_CELL_PX = 8;
export const PREVIEW_MIME = 'image/png';

/** Width and height of the picture of an h x w latent: 8 px per cell, scaled down to fit maxSize (default 512). */
export function previewSize(h: number, w: number, maxSize = 512): { width: number; height: number } {
  const width = w * PREVIEW_CELL_PX;
  const height = h * PREVIEW_CELL_PX;
  const k = Math.min(1, maxSize / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(zlib.crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Batch item 0 of `latent` ([B, C, h, w]) as an 8-bit RGB PNG: each output pixel takes the colour of the latent cell
 * under it (nearest), rounded like tensorToHwc. Synchronous: a few hundred microseconds for a 32x32 latent.
 */
export function encodeLatentPreview(latent: Tensor, rgb: LatentRgb, opts: { maxSize?: number } = {}): { bytes: Uint8Array; width: number; height: number } {
  const [, , h, w] = latent.dims;
  const cells = latentToRgb(latent, rgb, { scale: 1 }).data;
  const plane = h * w;
  const { width, height } = previewSize(h, w, opts.maxSize);
  // Where each cell's run of columns starts: only those bytes are non-zero in a Sub-filtered row of flat cells.
  const starts: { x: number; cell: number }[] = [];
  for (let x = 0; x < width; x++) {
    const cell = Math.floor((x * w) / width);
    if (!starts.length || starts[starts.length - 1].cell !== cell) starts.push({ x, cell });
  }
  const byte = (v: number) => (v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255));
  const stride = 1 + 3 * width;
  const rows = Buffer.alloc(stride * height); // zero-filled
  let previous = -1;
  for (let y = 0; y < height; y++) {
    const o = y * stride;
    const cy = Math.floor((y * h) / height);
    if (cy === previous) {
      rows[o] = 2; // Up: the same as the row above, all zeros
      continue;
    }
    previous = cy;
    rows[o] = 1; // Sub: each byte minus the one 3 to its left, so a cell's run of pixels is zeros after its first
    let r0 = 0, g0 = 0, b0 = 0;
    for (const { x, cell } of starts) {
      const i = cy * w + cell;
      const r = byte(cells[i]), g = byte(cells[plane + i]), b = byte(cells[2 * plane + i]);
      const p = o + 1 + 3 * x;
      rows[p] = (r - r0) & 0xff;
      rows[p + 1] = (g - g0) & 0xff;
      rows[p + 2] = (b - b0) & 0xff;
      r0 = r; g0 = g; b0 = b;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // RGB
  const bytes = Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(rows, { level: 1, strategy: zlib.constants.Z_RLE })), chunk('IEND', new Uint8Array(0))]);
  return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), width, height };
}
