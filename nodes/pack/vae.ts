// The sprites VAE: an exact codec with Stable Diffusion's shape (4 latent channels at 1/8 resolution).
// Decoder (linear): each latent cell -> one flat 8x8 RGB block, rgb = A z + c. Encoder: 8x8 average ->
// z = E (rgb - c) + h n, with A E = I and A n = 0, so every image of flat 8x8 blocks survives a round trip.
import { GraphBuilder } from '../onnx/builder';
import { CELL, COLOR_NAMES, COLORS, GRID, type ColorName } from './sprites/palette';
import { spriteCells, type Sprite } from './sprites/catalog';

export const LATENT_CHANNELS = 4;
export const LATENT_SIZE = GRID;
/** Floats in one sprite latent [4, 32, 32]. */
export const LATENT_NUMEL = LATENT_CHANNELS * GRID * GRID;

type Mat = number[][];

export interface SpriteCodec {
  /** Linear encoder map [4][3] on RGB in [0,1] minus `mean`. */
  encode: Mat;
  /** Decoder map [3][4]: rgb in [0,1] = decode z + mean (the pseudo-inverse of `encode`). */
  decode: Mat;
  /** Mean RGB in [0,1] of the palette colours. */
  mean: number[];
  /** Unit latent direction the decoder ignores; the encoder puts each cell's norm complement there. */
  nullDir: number[];
  /** Squared latent norm of every cell of every sprite. */
  cellSqNorm: number;
}

// A 4x4 Hadamard matrix / 2: its last three columns carry colour, its constant column is the
// direction the decoder ignores (every row has equal weight, so colour spreads over all channels).
const FRAME: Mat = [[1, 1, 1], [-1, 1, -1], [1, -1, -1], [-1, -1, 1]].map((r) => r.map((v) => v / 2));
const NULL_DIR = [0.5, 0.5, 0.5, 0.5];
/**
 * |z|² of every latent cell: root mean square 0.6 per channel. SD's schedule keeps alpha_bar = 0.0047
 * at t = 999, so with unit-scale latents the starting noise already singles out one sprite (4096 values
 * that all point one way) before the prompt prior or a negative prompt can act; at 0.6 the first steps
 * stay undecided, as in SD, while the last step's leftover noise (sqrt(1 - alpha_bar[0]) ~ 0.03) stays
 * within a few 8-bit levels after decoding.
 */
const CELL_SQ_NORM = LATENT_CHANNELS * 0.6 * 0.6;

function cholesky3(s: Mat): Mat {
  const l: Mat = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j <= i; j++) {
      let acc = s[i][j];
      for (let k = 0; k < j; k++) acc -= l[i][k] * l[j][k];
      l[i][j] = i === j ? Math.sqrt(acc) : acc / l[j][j];
    }
  }
  return l;
}

function invertLower3(l: Mat): Mat {
  const inv: Mat = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (let i = 0; i < 3; i++) {
    inv[i][i] = 1 / l[i][i];
    for (let j = 0; j < i; j++) {
      let acc = 0;
      for (let k = j; k < i; k++) acc += l[i][k] * inv[k][j];
      inv[i][j] = -acc / l[i][i];
    }
  }
  return inv;
}

const matmul = (a: Mat, b: Mat): Mat => a.map((row) => b[0].map((_, j) => row.reduce((acc, v, k) => acc + v * b[k][j], 0)));
const transpose = (a: Mat): Mat => a[0].map((_, j) => a.map((row) => row[j]));
const apply = (m: Mat, v: readonly number[]): number[] => m.map((row) => row.reduce((acc, x, k) => acc + x * v[k], 0));
const sqNorm = (v: readonly number[]): number => v.reduce((acc, x) => acc + x * x, 0);

/**
 * Whitens the palette's colours (Cholesky: only sqrt and division, the same bits on every machine),
 * spreads them over the three colour directions of FRAME and scales so the most extreme colour has
 * |z|² just under CELL_SQ_NORM. The encoder then lifts every colour onto that sphere along NULL_DIR. So all
 * sprites have the same latent norm and no sprite is favoured by the noise itself at high noise
 * levels (a Gaussian likelihood prefers short latents), while the decoder, blind to NULL_DIR, stays
 * linear and exact.
 */
function buildCodec(): SpriteCodec {
  const colors = COLOR_NAMES.map((c) => COLORS[c].map((v) => v / 255));
  const mean = [0, 1, 2].map((k) => colors.reduce((acc, rgb) => acc + rgb[k], 0) / colors.length);
  const cov = [0, 1, 2].map((a) => [0, 1, 2].map((b) => colors.reduce((acc, rgb) => acc + (rgb[a] - mean[a]) * (rgb[b] - mean[b]), 0) / colors.length));
  const l = cholesky3(cov);
  const whiten = matmul(FRAME, invertLower3(l));
  // 5% headroom keeps every palette colour's lift well above 0, where float32 sqrt would lose digits.
  const radius = 1.05 * Math.sqrt(Math.max(...colors.map((rgb) => sqNorm(apply(whiten, rgb.map((v, k) => v - mean[k]))))));
  const scale = Math.sqrt(CELL_SQ_NORM) / radius;
  const encode = whiten.map((r) => r.map((v) => v * scale));
  // pinv(encode) = (Eᵀ E)⁻¹ Eᵀ = L FRAMEᵀ / scale, since FRAME has orthonormal columns
  const decode = matmul(l, transpose(FRAME)).map((r) => r.map((v) => v / scale));
  return { encode, decode, mean, nullDir: NULL_DIR, cellSqNorm: CELL_SQ_NORM };
}

let codec: SpriteCodec | null = null;
export function spriteCodec(): SpriteCodec {
  return (codec ??= buildCodec());
}

/** The latent vector (4 channels) of one RGB colour given in 0-255: linear part + norm complement. */
export function latentOfRgb(rgb: readonly number[]): number[] {
  const { encode, mean, nullDir, cellSqNorm } = spriteCodec();
  const z = apply(encode, rgb.map((v, k) => v / 255 - mean[k]));
  const lift = Math.sqrt(Math.max(0, cellSqNorm - sqNorm(z)));
  return z.map((v, c) => v + lift * nullDir[c]);
}

/** RGB in [0,1] of one latent vector: the decoder's (linear) map. */
export function rgbOfLatent(z: readonly number[]): number[] {
  const { decode, mean } = spriteCodec();
  return apply(decode, z).map((v, k) => v + mean[k]);
}

export function latentOfColor(color: ColorName): number[] {
  return latentOfRgb(COLORS[color]);
}

/** The sprite's latent [4, 32, 32] flattened channel-major, as the U-Net's dictionary stores it. */
export function spriteLatent(s: Pick<Sprite, 'shape' | 'color' | 'background' | 'size'>): Float32Array {
  const cells = spriteCells(s);
  const hw = GRID * GRID;
  const out = new Float32Array(LATENT_NUMEL);
  for (let i = 0; i < hw; i++) {
    const z = latentOfRgb([cells[i * 3], cells[i * 3 + 1], cells[i * 3 + 2]]);
    for (let c = 0; c < LATENT_CHANNELS; c++) out[c * hw + i] = z[c];
  }
  return out;
}

/** stepflow.json's latent_rgb: rgb (in [0,1]) = sum_c z_c factors[c] + bias, exact for this VAE. */
export function latentRgbProjection(): { factors: number[][]; bias: number[] } {
  const { decode, mean } = spriteCodec();
  return { factors: transpose(decode), bias: [...mean] };
}

/** latent_sample [B,4,h,w] -> sample [B,3,8h,8w] in [-1,1]: sample = 2 (A z + c) - 1, nearest x8. */
export function buildVaeDecoder(): GraphBuilder {
  const { decode, mean } = spriteCodec();
  const g = new GraphBuilder('sprites_vae_decoder');
  const z = g.input('latent_sample', 'float32', ['batch', LATENT_CHANNELS, 'height', 'width']);
  const weight = Float32Array.from(decode.flatMap((row) => row.map((v) => 2 * v)));
  const bias = Float32Array.from(mean, (m) => 2 * m - 1);
  const rgb = g.op('Conv', [z, g.initializer('decoder.conv_out.weight', weight, [3, LATENT_CHANNELS, 1, 1]), g.initializer('decoder.conv_out.bias', bias, [3])], {
    name: '/decoder/conv_out/Conv',
  });
  const up = g.op('Resize', [rgb, null, g.constant([1, 1, CELL, CELL], [4], 'decoder.upsample.scales')], {
    name: '/decoder/upsample/Resize',
    attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' },
  });
  g.output(up, 'sample', 'float32', ['batch', 3, 'image_height', 'image_width']);
  return g;
}

/**
 * sample [B,3,H,W] in [-1,1] -> latent_sample [B,4,H/8,W/8]: 8x8 mean, z = E (rgb - c), then the
 * norm complement h = sqrt(max(0, CELL_SQ_NORM - |z|²)) along the null direction n.
 */
export function buildVaeEncoder(): GraphBuilder {
  const { encode, mean, nullDir, cellSqNorm } = spriteCodec();
  const g = new GraphBuilder('sprites_vae_encoder');
  const x = g.input('sample', 'float32', ['batch', 3, 'image_height', 'image_width']);
  const pooled = g.op('AveragePool', [x], { name: '/encoder/pool/AveragePool', attrs: { kernel_shape: [CELL, CELL], strides: [CELL, CELL] } });
  // z = E ((s + 1) / 2 - c) = (E / 2) s + E (1/2 - c)
  const weight = Float32Array.from(encode.flatMap((row) => row.map((v) => v / 2)));
  const bias = Float32Array.from(encode, (row) => row.reduce((acc, v, k) => acc + v * (0.5 - mean[k]), 0));
  const z = g.op('Conv', [pooled, g.initializer('encoder.quant_conv.weight', weight, [LATENT_CHANNELS, 3, 1, 1]), g.initializer('encoder.quant_conv.bias', bias, [LATENT_CHANNELS])], {
    name: '/encoder/quant_conv/Conv',
  });
  const sq = g.op('ReduceSum', [g.op('Mul', [z, z], { name: '/encoder/lift/square/Mul' }), g.int64s([1])], { name: '/encoder/lift/ReduceSum', attrs: { keepdims: 1 } });
  const h = g.op('Sqrt', [g.op('Relu', [g.op('Sub', [g.scalar(cellSqNorm), sq], { name: '/encoder/lift/Sub' })], { name: '/encoder/lift/Relu' })], { name: '/encoder/lift/Sqrt' });
  const lift = g.op('Mul', [h, g.initializer('encoder.lift.direction', Float32Array.from(nullDir), [1, LATENT_CHANNELS, 1, 1])], { name: '/encoder/lift/Mul' });
  g.output(g.op('Add', [z, lift], { name: '/encoder/lift/Add' }), 'latent_sample', 'float32', ['batch', LATENT_CHANNELS, 'height', 'width']);
  return g;
}
