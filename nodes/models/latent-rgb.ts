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
/** ComfyUI's previewer shows (F^T z + b + 1) / 2: halved factors, bias halved plus 0.5. */
const fromPm1 = (factors: number[][], bias = [0, 0, 0]): LatentRgb => Object.freeze({
  factors: factors.map((row) => row.map((v) => v / 2)),
  bias: bias.map((b) => b / 2 + 0.5),
});

export const SD15_LATENT_RGB: LatentRgb = fromPm1(SD15_FACTORS_PM1);

/**
 * SD3's and FLUX.1's published 16x3 factors and biases (ComfyUI latent_formats.SD3 and Flux, latent_rgb_factors
 * and latent_rgb_factors_bias), for the scaled and shifted latent the sampler works on: the default preview of a
 * 16-channel SD3/Flux folder without a stepflow.json (real exports have none).
 */
export const SD3_LATENT_RGB: LatentRgb = fromPm1([
  [-0.0922, -0.0175, 0.0749], [0.0311, 0.0633, 0.0954], [0.1994, 0.0927, 0.0458], [0.0856, 0.0339, 0.0902],
  [0.0587, 0.0272, -0.0496], [-0.0006, 0.1104, 0.0309], [0.0978, 0.0306, 0.0427], [-0.0042, 0.1038, 0.1358],
  [-0.0194, 0.0020, 0.0669], [-0.0488, 0.0130, -0.0268], [0.0922, 0.0988, 0.0951], [-0.0278, 0.0524, -0.0542],
  [0.0332, 0.0456, 0.0895], [-0.0069, -0.0030, -0.0810], [-0.0596, -0.0465, -0.0293], [-0.1448, -0.1463, -0.1189],
], [0.2394, 0.2135, 0.1925]);

export const FLUX_LATENT_RGB: LatentRgb = fromPm1([
  [-0.0346, 0.0244, 0.0681], [0.0034, 0.0210, 0.0687], [0.0275, -0.0668, -0.0433], [-0.0174, 0.0160, 0.0617],
  [0.0859, 0.0721, 0.0329], [0.0004, 0.0383, 0.0115], [0.0405, 0.0861, 0.0915], [-0.0236, -0.0185, -0.0259],
  [-0.0245, 0.0250, 0.1180], [0.1008, 0.0755, -0.0421], [-0.0515, 0.0201, 0.0011], [0.0428, -0.0012, -0.0036],
  [0.0817, 0.0765, 0.0749], [-0.1264, -0.0522, -0.1103], [-0.0280, -0.0881, -0.0499], [-0.1262, -0.0982, -0.0778],
], [-0.0329, -0.0718, -0.0851]);

/**
 * The preview projection of a folder without its own, by its pipeline (model_index.json's _class_name): SD3's or
 * FLUX.1's for a 16-channel latent, SD1.5's otherwise (whose 4 rows a 16-channel U-Net refuses, naming the file).
 */
export function defaultLatentRgb(pipelineClass: string, latentChannels: number): LatentRgb {
  if (latentChannels === 16 && /StableDiffusion3/.test(pipelineClass)) return SD3_LATENT_RGB;
  if (latentChannels === 16 && /Flux/.test(pipelineClass)) return FLUX_LATENT_RGB;
  return SD15_LATENT_RGB;
}

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
