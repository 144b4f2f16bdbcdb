// The pack's 9-channel inpainting checkpoint (tiny-sd-inpainting) under VAE Encode for Inpainting: the loader sees an
// inpainting U-Net, sampling runs, and far from the mask the image is the masked source's own decode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptanceModelsDir } from '../../acceptance/pack';
import { createRunner, pixelsOf } from '../../acceptance/workflow-runner';
import type { Graph } from '../../engine/graph';
import type { UNetModel } from '../../values';
import { BatchGroup } from '../../sampling/batch';

let runner: ReturnType<typeof createRunner>;
beforeAll(async () => {
  runner = createRunner(await acceptanceModelsDir());
}, 120_000);
afterAll(async () => {
  await runner?.dispose();
});

const node = (id: string, type: string, params: Record<string, unknown> = {}) => ({ id, type, typeVersion: 1, params });
const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });

/** inpaint-circle.png (transparent circle = mask) encoded for inpainting, then sampled or only decoded. */
function graph(sampled: boolean, grow = 6): Graph {
  const nodes = [
    node('checkpoint', 'checkpoint_loader', { ckpt_name: 'tiny-sd-inpainting' }),
    node('image', 'load_image', { image: 'inpaint-circle.png' }),
    node('encode', 'vae_encode_inpaint', { grow_mask_by: grow }),
    node('decode', 'vae_decode'),
    node('save', 'save_image', { filename_prefix: 'inpaint', format: 'png' }),
  ];
  const edges = [
    edge('image', 'image', 'encode', 'image'), edge('image', 'mask', 'encode', 'mask'), edge('checkpoint', 'vae', 'encode', 'vae'),
    edge('checkpoint', 'vae', 'decode', 'vae'), edge('decode', 'image', 'save', 'images'),
  ];
  if (!sampled) return { version: 1, nodes, edges: [...edges, edge('encode', 'latent', 'decode', 'latent')] };
  return {
    version: 1,
    nodes: [...nodes, node('positive', 'text_encoder', { text: 'a green square' }), node('negative', 'text_encoder', { text: '' }),
      node('sampler', 'sampler', { seed: 5, steps: 4, cfg: 5, sampler: 'euler', scheduler: 'normal', denoise: 1 })],
    edges: [...edges, edge('checkpoint', 'clip', 'positive', 'clip'), edge('checkpoint', 'clip', 'negative', 'clip'),
      edge('checkpoint', 'model', 'sampler', 'model'), edge('positive', 'conditioning', 'sampler', 'positive'),
      edge('negative', 'conditioning', 'sampler', 'negative'), edge('encode', 'latent', 'sampler', 'latent'), edge('sampler', 'latent', 'decode', 'latent')],
  };
}

/** RGB of the w x w block at (x0, y0). */
const block = (px: { data: Uint8Array; width: number }, x0: number, y0: number, w: number) =>
  Array.from({ length: w * w * 3 }, (_, i) => px.data[((y0 + Math.floor(i / (3 * w))) * px.width + x0 + Math.floor(i / 3) % w) * 3 + (i % 3)]);

describe('tiny-sd-inpainting (9-channel U-Net)', () => {
  it('loads as an inpainting U-Net and samples inside the mask only', async () => {
    const r = await runner.run(graph(true));
    const model = r.values.get('checkpoint')!.model as UNetModel;
    expect([model.inpaintInputs, model.latentChannels]).toEqual([true, 4]);
    const out = await pixelsOf(r.artifacts[0].bytes);
    const source = await pixelsOf((await runner.run(graph(false))).artifacts[0].bytes);
    expect([out.width, out.height]).toEqual([256, 256]);
    // The mask (circle of radius 104 px grown by 6) is > 60 px from each 16 px corner block: exactly the source there.
    for (const [x, y] of [[0, 0], [240, 0], [0, 240], [240, 240]]) expect(block(out, x, y, 16), `${x},${y}`).toEqual(block(source, x, y, 16));
    expect(block(out, 120, 120, 16)).not.toEqual(block(source, 120, 120, 16));
  }, 120_000);

  it('the mask and masked-image channels reach the U-Net: a grown mask changes what it paints at the centre', async () => {
    const a = await pixelsOf((await runner.run(graph(true, 0))).artifacts[0].bytes);
    const b = await pixelsOf((await runner.run(graph(true, 24))).artifacts[0].bytes);
    expect(block(a, 120, 120, 16)).not.toEqual(block(b, 120, 120, 16));
  }, 120_000);

  it('dispatched in a batch, each run samples alone and its sampler says why', async () => {
    runner.resetCache();
    const ids = ['inpaint-a', 'inpaint-b'];
    const group = new BatchGroup(ids);
    const results = await Promise.all(ids.map(async (runId) => {
      try {
        return await runner.executor().run(graph(true), { runId, batch: group.member(runId) });
      } finally {
        group.leave(runId);
      }
    }));
    for (const r of results) {
      expect(r.status, r.error?.message).toBe('succeeded');
      expect(r.nodes.find((n) => n.id === 'sampler')?.batch).toEqual({ size: 1, reason: 'inpainting models run alone' });
    }
  }, 120_000);
});
