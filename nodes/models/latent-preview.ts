// A latent drawn as a preview picture: latentToRgb per latent cell, shown 8 px per cell (nearest) within maxSize.
// Only the h·w cells are mapped in JavaScript; sharp enlarges and encodes in its thread pool, off the caller's thread.
import sharp from 'sharp';
import { tensorToHwc } from '../runtime/image';
import type { Tensor } from '../runtime/tensor';
import { latentToRgb, type LatentRgb } from './latent-rgb';

/** Pixels per latent cell in previews (SD's VAE factor). */
export const PREVIEW_CELL_PX = 8;

export interface LatentPreviewOptions {
  format: 'jpeg' | 'png';
  /** JPEG quality; default 80. */
  quality?: number;
  /** Longest side in pixels; default 512. */
  maxSize?: number;
}

/** Width and height of the picture of an h x w latent: 8 px per cell, scaled down to fit maxSize. */
export function previewSize(h: number, w: number, maxSize = 512): { width: number; height: number } {
  const width = w * PREVIEW_CELL_PX;
  const height = h * PREVIEW_CELL_PX;
  const k = Math.min(1, maxSize / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
}

/** Batch item 0 of `latent` ([B, C, h, w]) as an encoded picture. */
export async function encodeLatentPreview(
  latent: Tensor, rgb: LatentRgb, opts: LatentPreviewOptions,
): Promise<{ bytes: Uint8Array; width: number; height: number }> {
  const [, , h, w] = latent.dims;
  const px = tensorToHwc(latentToRgb(latent, rgb, { scale: 1 }));
  const size = previewSize(h, w, opts.maxSize);
  let img = sharp(px.data, { raw: { width: w, height: h, channels: 3 } }).resize(size.width, size.height, { kernel: 'nearest', fit: 'fill' });
  img = opts.format === 'png' ? img.png({ compressionLevel: 6 }) : img.jpeg({ quality: opts.quality ?? 80 });
  const { data, info } = await img.toBuffer({ resolveWithObject: true });
  return { bytes: new Uint8Array(data), width: info.width, height: info.height };
}
