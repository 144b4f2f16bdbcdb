// Inpainting inside the sampling loop: the noise mask brought to latent resolution, and the blend after each
// step that keeps the unmasked region on the source latent's path.
import type { Tensor } from '../runtime/tensor';
import type { Scheduler } from './schedulers';
import { fromVe, sigmaAt, type StepBlend } from './loop';

/** What the loop needs to inpaint; every array has the latent's length ([B, C, h, w]). */
export interface InpaintBlend {
  /** 1 = denoise freely, 0 = follow the source; the mask at latent resolution repeated over channels. */
  mask: Float32Array;
  /** The clean source latent (k-diffusion x0). */
  source: Float32Array;
  /** The run's own starting noise, so the kept region is the same noisy image the first step saw. */
  noise: Float32Array;
}

export class NoiseMaskError extends Error {
  readonly code = 'noise_mask';
  constructor(message: string) {
    super(message);
    this.name = 'NoiseMaskError';
  }
}

/**
 * A [B, 1, H, W] mask at latent size h x w by area averaging (torch's interpolate mode 'area', i.e. adaptive
 * average pooling: cell i covers rows floor(i*H/h) .. ceil((i+1)*H/h)). ComfyUI interpolates bilinearly, which at
 * 1/8 reads only the two middle rows and columns of each 8x8 cell, so a painted stroke thinner than 8 px could vanish
 * or shift; the area mean counts every pixel, and a cell half covered is denoised at half weight.
 */
export function maskToLatent(mask: Tensor, h: number, w: number): Float32Array {
  const [b, c, H, W] = mask.dims;
  if (c !== 1) throw new NoiseMaskError(`a mask has 1 channel, got ${c}`);
  const out = new Float32Array(b * h * w);
  for (let n = 0; n < b; n++) {
    const plane = mask.data.subarray(n * H * W, (n + 1) * H * W);
    for (let i = 0; i < h; i++) {
      const y0 = Math.floor((i * H) / h);
      const y1 = Math.ceil(((i + 1) * H) / h);
      for (let j = 0; j < w; j++) {
        const x0 = Math.floor((j * W) / w);
        const x1 = Math.ceil(((j + 1) * W) / w);
        let sum = 0;
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += plane[y * W + x];
        out[(n * h + i) * w + j] = sum / ((y1 - y0) * (x1 - x0));
      }
    }
  }
  return out;
}

/**
 * The mask for a latent [B, C, h, w], element for element: at latent size, one batch item shared by all or one per
 * item, repeated over the channels.
 */
export function latentMask(mask: Tensor, latent: Tensor): Float32Array {
  const [b, c, h, w] = latent.dims;
  const mb = mask.dims[0];
  if (mb !== 1 && mb !== b) throw new NoiseMaskError(`the mask has batch ${mb} but the latent has batch ${b}; use a mask of batch 1 or ${b}`);
  const small = maskToLatent(mask, h, w);
  const full = new Float32Array(latent.data.length);
  const plane = h * w;
  for (let n = 0; n < b; n++) {
    const m = small.subarray((mb === 1 ? 0 : n) * plane, ((mb === 1 ? 0 : n) + 1) * plane);
    for (let k = 0; k < c; k++) full.set(m, (n * c + k) * plane);
  }
  return full;
}

/** The loop's blend inputs: the latent's noise mask, the latent as the source, and the run's starting noise. */
export function inpaintBlend(mask: Tensor, latent: Tensor, noise: Float32Array): InpaintBlend {
  return { mask: latentMask(mask, latent), source: latent.data, noise };
}

/**
 * After the step that produced the sample for evaluation `next`: the unmasked region is replaced by the source noised
 * to that evaluation's sigma with the run's noise, x = m*x + (1-m)*(source + sigma*noise) in k-diffusion form,
 * brought to the scheduler's space; past the last evaluation sigma is 0, so the kept region ends exactly on the
 * source. This is diffusers' StableDiffusionInpaintPipeline rule for 4-channel U-Nets (noise to timesteps[i+1], the
 * clean latent after the last step). The predicted x0 is blended with the clean source too, as ComfyUI does with the
 * denoised output, so previews and early stops return the source outside the mask.
 */
export function blendStep(blend: InpaintBlend, scheduler: Scheduler): StepBlend {
  return (next, x, x0) => blendAt(blend, scheduler, next, x, x0);
}

function blendAt(blend: InpaintBlend, scheduler: Scheduler, next: number, x: Float32Array, x0: Float32Array): { x: Float32Array; x0: Float32Array } {
  const { mask, source, noise } = blend;
  const sigma = sigmaAt(scheduler, next);
  const noised = new Float32Array(source.length);
  for (let i = 0; i < noised.length; i++) noised[i] = source[i] + sigma * noise[i];
  const kept = fromVe(scheduler, noised, sigma);
  const outX = new Float32Array(x.length);
  const outX0 = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const m = mask[i];
    outX[i] = m * x[i] + (1 - m) * kept[i];
    outX0[i] = m * x0[i] + (1 - m) * source[i];
  }
  return { x: outX, x0: outX0 };
}
