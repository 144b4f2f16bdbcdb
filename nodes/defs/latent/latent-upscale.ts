// Latent Upscale: resize a latent before a second sampler pass (the "hires fix"), to a size or by a factor, with
// torch's nearest / bilinear / bicubic (runtime/interpolate.ts), as ComfyUI's Upscale Latent (By) does.
import { defineNode, param } from '../../define';
import { NodeInputError } from '../../engine/errors';
import { ensureImageSize, resizedSize } from '../../engine/image-size';
import { INTERPOLATIONS, interpolate, type Interpolation } from '../../runtime/interpolate';

export const latentUpscale = defineNode({
  type: 'latent_upscale',
  version: 1,
  title: 'Latent Upscale',
  category: 'latent',
  description: 'Resize a latent to width x height (image pixels, multiples of 8), or by scale when both are 0; then sample it again at a denoise below 1.',
  inputs: { latent: { type: 'LATENT' } },
  params: {
    width: param.int({ default: 0, min: 0, max: 16384, step: 8, description: '0 = from scale' }),
    height: param.int({ default: 0, min: 0, max: 16384, step: 8, description: '0 = keep aspect ratio' }),
    scale: param.float({ default: 1.5, min: 0.125, max: 8, step: 0.25, description: 'used when width and height are 0' }),
    method: param.choice(INTERPOLATIONS, { default: 'bilinear' }),
  },
  outputs: { latent: { type: 'LATENT' } },
  outputSize: (p, { latent }) => latent && resizedSize(latent, p, 8),
  async execute(ctx, { latent }, p) {
    const [b, , h, w] = latent.samples.dims;
    // In image pixels, rounded to whole latent cells.
    const target = resizedSize({ width: w * 8, height: h * 8, batch: b }, p, 8);
    ensureImageSize(target, ctx.limits.maxImagePixels);
    for (const key of ['width', 'height'] as const) {
      if (p[key] % 8 !== 0) {
        throw new NodeInputError('param_invalid', `${key} ${p[key]} is not a multiple of 8; use ${Math.max(8, Math.round(p[key] / 8) * 8)}`, key);
      }
    }
    // The new latent is a new start: a refiner hand-off's leftover noise and schedule no longer describe it.
    return { latent: { samples: interpolate(latent.samples, target.height / 8, target.width / 8, p.method as Interpolation) } };
  },
});
