// VAE Encode: IMAGE -> LATENT, the entry of img2img (resizing to a multiple of 8 is the graph's job).
import { defineNode } from '../../define';
import { NodeInputError } from '../../engine/errors';

export const vaeEncode = defineNode({
  type: 'vae_encode',
  version: 1,
  title: 'VAE Encode',
  category: 'latent',
  description: 'Encodes an image (width and height multiples of 8; alpha is ignored) into a latent for img2img.',
  aliases: ['Image to Latents'],
  inputs: { image: { type: 'IMAGE' }, vae: { type: 'VAE' } },
  params: {},
  outputs: { latent: { type: 'LATENT' } },
  // The latent stands for the same pixels: never larger than its input, so no run-time check is needed.
  outputSize: (_p, { image }) => image,
  async execute(ctx, { image, vae }) {
    const [, , h, w] = image.dims;
    if (h % 8 !== 0 || w % 8 !== 0) {
      const fit = (v: number) => Math.max(8, Math.round(v / 8) * 8);
      throw new NodeInputError('image_size', `image is ${w}x${h}; VAE Encode needs width and height that are multiples of 8. ` +
        `Add a Resize Image node before it (e.g. ${fit(w)}x${fit(h)}).`);
    }
    return { latent: { samples: await vae.encode(image, ctx.signal) } };
  },
});
