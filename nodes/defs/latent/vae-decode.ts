// VAE Decode: LATENT -> IMAGE with the checkpoint's (or a loaded) VAE.
import { defineNode } from '../../define';
import { ensureImageSize } from '../../engine/image-size';
import { concatBatch, splitBatch, type Tensor } from '../../runtime/tensor';

export const vaeDecode = defineNode({
  type: 'vae_decode',
  version: 1,
  title: 'VAE Decode',
  category: 'latent',
  description: 'Decodes a latent into an RGB image (8x its size).',
  aliases: ['Latents to Image'],
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
    if (!ctx.batch || vae.batchKey === undefined) return { image: await vae.decode(latent.samples, ctx.signal) };
    // Batch-mates decoding with the same VAE at the same size share one call (dynamic batching).
    const key = JSON.stringify(['vae_decode', vae.batchKey, latent.samples.dims]);
    const image = await ctx.batch.call(key, latent.samples, async (latents) => {
      if (latents.length === 1) return [await vae.decode(latents[0], ctx.signal)];
      // On the CPU the batch's decodes go one after another: ONNX Runtime's CPU kernels gain nothing from a batch
      // here, and a batch's output is one large fresh array (page faults). Measured on the sprites VAE, 16 latents:
      // one call 13–22 ms of CPU, sixteen calls 8–12 ms. Still one meeting, so the runs' decodes never overlap.
      if (vae.provider === 'cpu') {
        const out: Tensor[] = [];
        for (const l of latents) out.push(await vae.decode(l));
        return out;
      }
      const all = await vae.decode(concatBatch(latents));
      return splitBatch(all, latents.map((l) => l.dims[0]));
    }, ctx.signal);
    return { image };
  },
});
