// Empty SD3 Latent: the zero starting latent of SD3 and Flux models, 16 channels at 1/8 of the image size
// (ComfyUI's EmptySD3LatentImage, which Flux workflows use too). Sides are multiples of 16: both transformers cut
// the latent into 2x2 patches.
import { defineNode, param } from '../../define';
import { NodeInputError } from '../../engine/errors';
import { ensureImageSize, type ImageSize } from '../../engine/image-size';

/** SD3's and Flux's VAE latent channels. */
export const SD3_LATENT_CHANNELS = 16;

export const emptySd3Latent = defineNode({
  type: 'empty_sd3_latent',
  version: 1,
  title: 'Empty SD3 Latent',
  category: 'latent',
  description: 'A zero 16-channel latent for SD3/Flux models, width x height (multiples of 16); the sampler fills it with seeded noise.',
  aliases: ['EmptySD3LatentImage', 'Empty Flux Latent'],
  inputs: {},
  params: {
    width: param.int({ default: 1024, min: 16, max: 8192, step: 16 }),
    height: param.int({ default: 1024, min: 16, max: 8192, step: 16 }),
    batch_size: param.int({ default: 1, min: 1, max: 64, label: 'batch size' }),
  },
  outputs: { latent: { type: 'LATENT' } },
  outputSize: (p) => imageSize(p),
  async execute(ctx, _inputs, p) {
    ensureImageSize(imageSize(p), ctx.limits.maxImagePixels);
    for (const key of ['width', 'height'] as const) {
      if (p[key] % 16 !== 0) {
        throw new NodeInputError('param_invalid', `${key} ${p[key]} is not a multiple of 16; use ${Math.max(16, Math.round(p[key] / 16) * 16)}`, key);
      }
    }
    const dims = [p.batch_size, SD3_LATENT_CHANNELS, p.height / 8, p.width / 8];
    return { latent: { samples: { data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims } } };
  },
});

/** In the pixels the latent decodes to (the limit counts every image of the batch). */
function imageSize(p: { width: number; height: number; batch_size: number }): ImageSize {
  return { width: p.width, height: p.height, batch: p.batch_size, param: p.batch_size > 1 ? 'batch_size' : p.width >= p.height ? 'width' : 'height' };
}
