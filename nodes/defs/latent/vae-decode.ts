// VAE Decode: LATENT -> IMAGE with the checkpoint's (or a loaded) VAE.
import { defineNode } from '../../define';
import { ensureImageSize } from '../../engine/image-size';

export const vaeDecode = defineNode({
  type: 'vae_decode',
  version: 1,
  title: 'VAE Decode',
  category: 'latent',
  description: 'Decodes a latent into an RGB image (8x its size).',
  inputs: { latent: { type: 'LATENT' }, vae: { type: 'VAE' } },
  params: {},
  outputs: { image: { type: 'IMAGE' } },
  // A latent's size is already counted in the pixels it decodes to.
  outputSize: (_p, { latent }) => latent && { ...latent, param: undefined },
  async execute(ctx, { latent, vae }) {
    const [batch, , h, w] = latent.samples.dims;
    ensureImageSize({ width: w * 8, height: h * 8, batch }, ctx.limits.maxImagePixels);
    if (latent.leftoverNoise) {
      ctx.warn('this latent still carries noise (a sampler returned leftover noise); connect it to a refiner or sampler first for a clean image');
    }
    return { image: await vae.decode(latent.samples, ctx.signal) };
  },
});
