// Set Latent Noise Mask: attaches a MASK to a LATENT, so a sampler repaints only the masked area (any model).
import { defineNode } from '../../define';
import { NodeInputError } from '../../engine/errors';

export const setLatentNoiseMask = defineNode({
  type: 'set_latent_noise_mask',
  version: 1,
  title: 'Set Latent Noise Mask',
  category: 'latent',
  description: 'Marks the area a sampler may change (mask 1); elsewhere the result keeps the input latent. Works with any model.',
  aliases: ['SetLatentNoiseMask', 'Inpaint Mask'],
  inputs: { latent: { type: 'LATENT' }, mask: { type: 'MASK' } },
  params: {},
  outputs: { latent: { type: 'LATENT' } },
  outputSize: (_p, { latent }) => latent,
  async execute(_ctx, { latent, mask }) {
    const [b, , h, w] = latent.samples.dims;
    const [mb, mc, mh, mw] = mask.dims;
    if (mc !== 1 || (mb !== 1 && mb !== b)) {
      throw new NodeInputError('mask_shape', `the mask is ${mb}x${mc}x${mh}x${mw}; it needs 1 channel and batch 1 or ${b} (the latent's)`, 'mask');
    }
    // The sampler brings any mask size to the latent's (area average); a different aspect ratio is almost surely a
    // mask from another image.
    if (Math.abs(mw / mh - w / h) > 0.01 * (w / h)) {
      throw new NodeInputError('mask_shape', `the mask is ${mw}x${mh} but the latent is for ${w * 8}x${h * 8}; resize the mask's image to the same aspect ratio`, 'mask');
    }
    return { latent: { ...latent, noiseMask: mask } };
  },
});
