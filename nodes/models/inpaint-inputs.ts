// The extra inputs of an inpainting U-Net (2C+1 channels, diffusers' StableDiffusionInpaintPipeline layout): after the
// scaled noisy latent come the mask at latent size and the masked image's latent, the same for every step.
import type { Tensor } from '../runtime/tensor';
import type { Denoiser } from '../sampling/guidance';
import { latentMask } from '../sampling/inpaint';
import type { AddedConditioning, LatentValue } from '../values';

/**
 * A denoiser that appends [mask, masked-image latent] to every sample it is given. The masked-image latent is the
 * latent being sampled (VAE Encode for Inpainting greys the masked pixels before encoding); without a noise mask the
 * mask is all 1 over that latent, ComfyUI's rule, so an inpainting checkpoint still does plain txt2img/img2img.
 * The mask is the same area average the step blend uses.
 */
export function withInpaintInputs(model: Denoiser, latent: LatentValue): Denoiser {
  const [b, c, h, w] = latent.samples.dims;
  const plane = h * w;
  const mask = latent.noiseMask ? latentMask(latent.noiseMask, latent.samples) : new Float32Array(latent.samples.data.length).fill(1);
  // Per batch item: 1 mask plane (latentMask repeats it per channel; its first channel is the plane) then C planes.
  const extra = new Float32Array(b * (c + 1) * plane);
  for (let n = 0; n < b; n++) {
    extra.set(mask.subarray(n * c * plane, n * c * plane + plane), n * (c + 1) * plane);
    extra.set(latent.samples.data.subarray(n * c * plane, (n + 1) * c * plane), (n * (c + 1) + 1) * plane);
  }
  return {
    maxBatch: model.maxBatch,
    predict(sample: Tensor, timestep: number, context: Tensor, signal?: AbortSignal, added?: AddedConditioning) {
      // CFG stacks the run's items (uncond then cond): item i of the call is item i % b of the run.
      const [n] = sample.dims;
      const data = new Float32Array(n * (2 * c + 1) * plane);
      for (let i = 0; i < n; i++) {
        const at = i * (2 * c + 1) * plane;
        data.set(sample.data.subarray(i * c * plane, (i + 1) * c * plane), at);
        data.set(extra.subarray((i % b) * (c + 1) * plane, ((i % b) + 1) * (c + 1) * plane), at + c * plane);
      }
      return model.predict({ data, dims: [n, 2 * c + 1, h, w] }, timestep, context, signal, added);
    },
  };
}
