// Empty Latent: the all-zero starting latent of a txt2img run (4 channels at 1/8 of the image size).
import { defineNode, param } from '../../define';
import { NodeInputError } from '../../engine/errors';
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
  async execute(_ctx, _inputs, p) {
    for (const key of ['width', 'height'] as const) {
      if (p[key] % 8 !== 0) {
        throw new NodeInputError('param_invalid', `${key} ${p[key]} is not a multiple of 8; use ${Math.max(8, Math.round(p[key] / 8) * 8)}`, key);
      }
    }
    const dims = [p.batch_size, SD_LATENT_CHANNELS, p.height / 8, p.width / 8];
    return { latent: { samples: { data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims } } };
  },
});
