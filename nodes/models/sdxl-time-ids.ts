// SDXL's micro-conditioning (diffusers' StableDiffusionXL pipelines, _get_add_time_ids): the base U-Net's time_ids are
// (original height, width, crop top, left, target height, width); the refiner's are (original height, width, crop top,
// left, aesthetic score). Defaults: original = target = the image size of the latent (8 x its size), crop 0,
// aesthetic score 6.0 for the positive prompt and 2.5 for the negative one.
import type { Tensor } from '../runtime/tensor';
import type { AddedConditioning, ConditioningValue } from '../values';
import { addedOf } from '../sampling/added';
import { SDXL_AESTHETIC_SCORE, SDXL_NEGATIVE_AESTHETIC_SCORE } from './sdxl-defaults';

export type PromptRole = 'positive' | 'negative';

/** Sizes in pixels; unset ones take the defaults above. */
export interface SdxlSizes {
  originalWidth?: number;
  originalHeight?: number;
  cropTop?: number;
  cropLeft?: number;
  targetWidth?: number;
  targetHeight?: number;
  aestheticScore?: number;
}

/** time_ids [1, width] for a latent [B, C, h, w]. */
export function sdxlTimeIds(width: 5 | 6, latentDims: readonly number[], role: PromptRole, sizes: SdxlSizes = {}): Tensor {
  const [, , h, w] = latentDims;
  const targetHeight = sizes.targetHeight ?? h * 8;
  const targetWidth = sizes.targetWidth ?? w * 8;
  const head = [sizes.originalHeight ?? targetHeight, sizes.originalWidth ?? targetWidth, sizes.cropTop ?? 0, sizes.cropLeft ?? 0];
  const score = sizes.aestheticScore ?? (role === 'positive' ? SDXL_AESTHETIC_SCORE : SDXL_NEGATIVE_AESTHETIC_SCORE);
  const ids = width === 6 ? [...head, targetHeight, targetWidth] : [...head, score];
  return { data: Float32Array.from(ids), dims: [1, width] };
}

/**
 * One prompt's added conditioning for a model call: its pooled embedding (when its encoder gave one), Flux guidance and, for an SDXL
 * U-Net, its time ids. Undefined when there is nothing to add (an SD 1.x encoder and U-Net).
 */
export function addedConditioning(cond: ConditioningValue, timeIdsWidth: 5 | 6 | undefined, latentDims: readonly number[], role: PromptRole): AddedConditioning | undefined {
  const base = addedOf(cond);
  if (!timeIdsWidth) return base;
  return { ...base, timeIds: sdxlTimeIds(timeIdsWidth, latentDims, role, cond.sdxlSizes) };
}
