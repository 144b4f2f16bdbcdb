// Latent -> RGB projections for step previews: a linear map per latent cell, shown upsampled.
import type { Tensor } from '../runtime/tensor';
import { ModelFormatError } from './errors';

/** rgb[c] = sum_k factors[k][c] * latent[k] + bias[c], in [0,1] image space. */
export interface LatentRgb {
  factors: number[][];
  bias: number[];
}

/**
 * SD1.5's published 4x3 factors (ComfyUI latent_formats.SD15) map a scaled latent to [-1, 1]; its
 * previewer then shows (v + 1) / 2. Halving the factors and adding 0.5 gives the same picture in [0, 1].
 */
const SD15_FACTORS_PM1 = [
  [0.3512, 0.2297, 0.3227],
  [0.325, 0.4974, 0.235],
  [-0.2829, 0.1762, 0.2721],
  [-0.212, -0.2616, -0.7177],
];
export const SD15_LATENT_RGB: LatentRgb = Object.freeze({
  factors: SD15_FACTORS_PM1.map((row) => row.map((v) => v / 2)),
  bias: [0.5, 0.5, 0.5],
});

/** Checks a `latent_rgb` object from stepflow.json (or a sidecar file) against the latent channel count. */
export function parseLatentRgb(value: unknown, channels: number, file: string): LatentRgb {
  const v = value as { factors?: unknown; bias?: unknown } | null;
  const factors = v?.factors;
  const bias = v?.bias ?? [0, 0, 0];
  const isRow = (r: unknown) => Array.isArray(r) && r.length === 3 && r.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!Array.isArray(factors) || factors.length !== channels || !factors.every(isRow) || !isRow(bias)) {
    throw new ModelFormatError(file, `latent_rgb must be {"factors": [[r, g, b] x ${channels}], "bias": [r, g, b]}`);
  }
  return { factors: factors as number[][], bias: bias as number[] };
}

/** Batch item `batchIndex` of an NCHW latent as a [1, 3, h*scale, w*scale] image in [0, 1] (nearest upsampling). */
export function latentToRgb(latent: Tensor, rgb: LatentRgb, opts: { scale?: number; batchIndex?: number } = {}): Tensor {
  const [, channels, h, w] = latent.dims;
  const scale = opts.scale ?? 8;
  const plane = h * w;
  const base = (opts.batchIndex ?? 0) * channels * plane;
  const usable = Math.min(channels, rgb.factors.length);
  const cell = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane; i++) {
      let v = rgb.bias[c];
      for (let k = 0; k < usable; k++) v += rgb.factors[k][c] * latent.data[base + k * plane + i];
      cell[c * plane + i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  if (scale === 1) return { data: cell, dims: [1, 3, h, w] };
  const H = h * scale;
  const W = w * scale;
  const out = new Float32Array(3 * H * W);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < H; y++) {
      const row = c * plane + Math.floor(y / scale) * w;
      const o = c * H * W + y * W;
      for (let x = 0; x < W; x++) out[o + x] = cell[row + Math.floor(x / scale)];
    }
  }
  return { data: out, dims: [1, 3, H, W] };
}
