// VAE Decode: LATENT -> IMAGE with the checkpoint's (or a loaded) VAE.
import { defineNode } from '../../define';

export const vaeDecode = defineNode({
  type: 'vae_decode',
  version: 1,
  title: 'VAE Decode',
  category: 'latent',
  description: 'Decodes a latent into an RGB image (8x its size).',
  inputs: { latent: { type: 'LATENT' }, vae: { type: 'VAE' } },
  params: {},
  outputs: { image: { type: 'IMAGE' } },
  async execute(ctx, { latent, vae }) {
    if (latent.leftoverNoise) {
      ctx.warn('this latent still carries noise (a sampler returned leftover noise); connect it to a refiner or sampler first for a clean image');
    }
    return { image: await vae.decode(latent.samples, ctx.signal) };
  },
});
