// The demo LoRA's mathematics: a colour grade of the sprites palette expressed as a rank-3 update of the
// sprites U-Net's `conv_out` (a 1x1 Conv on the predicted clean latent, identity in the base model).
//
// The sprites VAE decodes rgb = A z + c and encodes z = E (rgb - c) + h n with A E = I, A n = 0. So
// ΔW = E (M - I) A turns the latent of colour p into the latent of c + M (p - c) (the null component h n is
// kept), and the decoded image is graded by M about the palette mean c; at strength s by I + s (M - I).
import { COLORS } from '../sprites/palette';
import { latentOfRgb, rgbOfLatent, spriteCodec, LATENT_CHANNELS } from '../vae';
import type { TensorToWrite } from '../../runtime/safetensors';

/**
 * The grade M (rows: output R, G, B): a vivid, greener grade (red -> crimson, yellow -> lime, black -> dark
 * green). Found by a search over 3x3 matrices for the largest mean colour change (about 62/255 per
 * colour) that keeps every graded colour inside [0, 1] and its latent nearer its own palette latent than
 * any other (margin >= 0.15 in squared latent units at strengths 0.5 to 1). The second condition matters:
 * the U-Net snaps to the nearest sprite at low noise, so a grade that moved red closer to orange would
 * make the sampler draw an orange sprite and grade that instead. Beyond strength ~1.3 this breaks down.
 */
export const PALETTE_GRADE: readonly (readonly number[])[] = [
  [0.88, -0.39, 0.32],
  [-0.41, 1.15, -0.25],
  [0.32, -0.64, 1.03],
];

export const PALETTE_LORA_RANK = 3;
export const PALETTE_LORA_PREFIX = 'lora_unet_conv_out';

/** rgb (in [0,1]) graded at `strength`: c + (I + s (M - I)) (rgb - c), c the palette mean. */
export function gradeRgb(rgb: readonly number[], strength: number): number[] {
  const { mean } = spriteCodec();
  const d = rgb.map((v, k) => v - mean[k]);
  return [0, 1, 2].map((r) => mean[r] + d[r] + strength * PALETTE_GRADE[r].reduce((acc, m, k) => acc + (m - (r === k ? 1 : 0)) * d[k], 0));
}

/** up = E [4, 3] and down = (M - I) A [3, 4], so up · down = ΔW with alpha = rank (scale 1). */
export function paletteLoraFactors(): { up: number[][]; down: number[][] } {
  const { encode, decode } = spriteCodec();
  const up = encode.map((row) => [...row]);
  const down = [0, 1, 2].map((r) => Array.from({ length: LATENT_CHANNELS }, (_, j) =>
    [0, 1, 2].reduce((acc, k) => acc + (PALETTE_GRADE[r][k] - (r === k ? 1 : 0)) * decode[k][j], 0)));
  return { up, down };
}

export function paletteLoraTensors(): Record<string, TensorToWrite> {
  const { up, down } = paletteLoraFactors();
  return {
    [`${PALETTE_LORA_PREFIX}.lora_down.weight`]: { shape: [PALETTE_LORA_RANK, LATENT_CHANNELS, 1, 1], data: Float32Array.from(down.flat()) },
    [`${PALETTE_LORA_PREFIX}.lora_up.weight`]: { shape: [LATENT_CHANNELS, PALETTE_LORA_RANK, 1, 1], data: Float32Array.from(up.flat()) },
    [`${PALETTE_LORA_PREFIX}.alpha`]: { shape: [], data: Float32Array.of(PALETTE_LORA_RANK) },
  };
}

/** conv_out's weight after the merge at `strength`: I + s · up · down ([4][4]). */
export function gradedConvOut(strength: number): number[][] {
  const { up, down } = paletteLoraFactors();
  return up.map((u, i) => Array.from({ length: LATENT_CHANNELS }, (_, j) =>
    (i === j ? 1 : 0) + strength * u.reduce((acc, v, r) => acc + v * down[r][j], 0)));
}

/**
 * How much nearer each palette colour's graded latent stays to its own latent than to any other colour's
 * (smallest difference of squared distances); positive means the sampler keeps every sprite.
 */
export function paletteMargin(strength: number): { margin: number; color: string; rival: string } {
  const w = gradedConvOut(strength);
  const names = Object.keys(COLORS) as (keyof typeof COLORS)[];
  const latents = names.map((n) => latentOfRgb(COLORS[n]));
  let worst = { margin: Infinity, color: '', rival: '' };
  names.forEach((name, i) => {
    const graded = w.map((row) => row.reduce((acc, v, k) => acc + v * latents[i][k], 0));
    const dist = (z: number[]) => z.reduce((acc, v, k) => acc + (v - graded[k]) ** 2, 0);
    const own = dist(latents[i]);
    names.forEach((rival, j) => {
      if (j !== i && dist(latents[j]) - own < worst.margin) worst = { margin: dist(latents[j]) - own, color: name, rival };
    });
  });
  return worst;
}

/** Decoded colour of a graded latent (checks that the LoRA does what gradeRgb says). */
export function decodeGraded(rgb255: readonly number[], strength: number): number[] {
  const w = gradedConvOut(strength);
  const z = latentOfRgb(rgb255);
  return rgbOfLatent(w.map((row) => row.reduce((acc, v, k) => acc + v * z[k], 0)));
}
