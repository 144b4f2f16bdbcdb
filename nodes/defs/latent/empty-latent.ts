// Empty Latent: the all-zero starting latent of a txt2img run (4 channels at 1/8 of the image size).
import { defineNode, param } from '../../define';
import { NodeInputError } from '../../engine/errors';
import { ensureImageSize, type ImageSize } from '../../engine/image-size';
import { SD_LATENT_CHANNELS } from '../../models/defaults';

export const emptyLatent = defineNode({
  type: 'empty_latent',
  version: 1,
  title: 'Empty Latent',
  category: 'latent',
  description: 'A zero latent for width x height images (multiples of 8); the sampler fills it with seeded noise.',
  inputs: {},
  params: {
    width: param.int({ default: 256, min: 8, max: 8192, step: 8 }),
    height: param.int({ default: 256, min: 8, max: 8192, step: 8 }),
    batch_size: param.int({ default: 1, min: 1, max: 64, label: 'batch size' }),
  },
  outputs: { latent: { type: 'LATENT' } },
  outputSize: (p) => latentSize(p),
  async execute(ctx, _inputs, p) {
    ensureImageSize(latentSize(p), ctx.limits.maxImagePixels);
    for (const key of ['width', 'height'] as const) {
      if (p[key] % 8 !== 0) {
        throw new NodeInputError('param_invalid', `${key} ${p[key]} is not a multiple of 8; use ${Math.max(8, Math.round(p[key] / 8) * 8)}`, key);
      }
    }
    const dims = [p.batch_size, SD_LATENT_CHANNELS, p.height / 8, p.width / 8];
    return { latent: { samples: { data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims } } };
  },
});

/** In the pixels the latent decodes to (the limit counts every image of the batch). */
function latentSize(p: { width: number; height: number; batch_size: number }): ImageSize {
  return { width: p.width, height: p.height, batch: p.batch_size, param: p.batch_size > 1 ? 'batch_size' : p.width >= p.height ? 'width' : 'height' };
}
