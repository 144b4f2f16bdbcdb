// What the sprites denoisers know: the latent of every sprite, the text -> log-prior penalty matrix,
// and SD's training schedule (alphas_cumprod) by which they read the noise level off the timestep.
import { COLOR_NAMES, SHAPES, SPRITES } from './sprites';
import { TEXT_SLOTS } from './text-encoder';
import { LATENT_NUMEL, spriteLatent } from './vae';

/** Log-prior added per attribute the prompt names that a sprite lacks. */
export const PRIOR_PENALTY = -12;

/** SD 1.x training schedule (scaled_linear 0.00085 -> 0.012 over 1000 steps), as in scheduler_config.json. */
export const TRAINING_SCHEDULE = { beta_start: 0.00085, beta_end: 0.012, num_train_timesteps: 1000 } as const;

/** alphas_cumprod[t] in float64 (then stored as float32): betas = linspace(sqrt(b0), sqrt(b1), T)². */
export function alphasCumprod(): Float32Array {
  const { beta_start: b0, beta_end: b1, num_train_timesteps: n } = TRAINING_SCHEDULE;
  const out = new Float32Array(n);
  let acc = 1;
  for (let i = 0; i < n; i++) {
    const sqrtBeta = Math.sqrt(b0) + ((Math.sqrt(b1) - Math.sqrt(b0)) * i) / (n - 1);
    acc *= 1 - sqrtBeta * sqrtBeta;
    out[i] = acc;
  }
  return out;
}

export interface SpriteDictionary {
  count: number;
  /** [N, 4*32*32] sprite latents, row i = SPRITES[i]. */
  latents: Float32Array;
  /** [N] squared norms |y_i|² (of the float32 latents). */
  sqNorms: Float32Array;
  /** [C, N]: PRIOR_PENALTY where text slot c names an attribute sprite i lacks, else 0. */
  penalty: Float32Array;
}

let cached: SpriteDictionary | null = null;

export function spriteDictionary(): SpriteDictionary {
  if (cached) return cached;
  const n = SPRITES.length;
  const latents = new Float32Array(n * LATENT_NUMEL);
  const sqNorms = new Float32Array(n);
  const penalty = new Float32Array(TEXT_SLOTS.width * n);
  for (const s of SPRITES) {
    const y = spriteLatent(s);
    latents.set(y, s.index * LATENT_NUMEL);
    sqNorms[s.index] = y.reduce((acc, v) => acc + v * v, 0);
    SHAPES.forEach((shape, k) => {
      if (s.shape !== shape) penalty[(TEXT_SLOTS.shape + k) * n + s.index] = PRIOR_PENALTY;
    });
    COLOR_NAMES.forEach((color, k) => {
      if (s.color !== color) penalty[(TEXT_SLOTS.shapeColor + k) * n + s.index] = PRIOR_PENALTY;
      if (s.background !== color) penalty[(TEXT_SLOTS.backgroundColor + k) * n + s.index] = PRIOR_PENALTY;
    });
  }
  return (cached = { count: n, latents, sqNorms, penalty });
}
