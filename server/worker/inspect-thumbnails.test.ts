// "Run to here" thumbnails: images as they are, latents through the projection of the model upstream.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../nodes/engine/graph';
import { SD15_LATENT_RGB } from '../../nodes/models/latent-rgb';
import { inspectThumbnails } from './inspect-thumbnails';

const node = (id: string, type: string) => ({ id, type, typeVersion: 1, params: {} });
const graph: Graph = {
  version: 1,
  nodes: [node('ckpt', 'checkpoint_loader'), node('empty', 'empty_latent'), node('sampler', 'sampler')],
  edges: [
    { from: { node: 'ckpt', output: 'model' }, to: { node: 'sampler', input: 'model' } },
    { from: { node: 'empty', output: 'latent' }, to: { node: 'sampler', input: 'latent' } },
  ],
};

/** A 2-channel latent, 4x4 cells: channel 0 = 1 on the left half, channel 1 = 1 on the right half. */
function twoChannelLatent() {
  const data = new Float32Array(2 * 16);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) data[(x < 2 ? 0 : 16) + y * 4 + x] = 1;
  return { samples: { data, dims: [1, 2, 4, 4] } };
}

async function pixel(bytes: Uint8Array, x: number, y: number) {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  const o = (y * info.width + x) * info.channels;
  return [...data.subarray(o, o + 3)];
}

describe('inspect thumbnails', () => {
  it('draws a LATENT output with the upstream model\'s latent→RGB factors, one cell per 8 px', async () => {
    // Channel 0 is red, channel 1 is blue: the left half comes out red, the right half blue.
    const model = { latentRgb: { factors: [[1, 0, 0], [0, 0, 1]], bias: [0, 0, 0] } };
    const values = new Map<string, Record<string, unknown>>([['ckpt', { model }], ['sampler', { latent: twoChannelLatent() }]]);
    const [t, ...rest] = await inspectThumbnails(graph, ['sampler'], values);
    expect(rest).toEqual([]);
    expect(t).toMatchObject({ nodeId: 'sampler', output: 'latent', mime: 'image/png', width: 32, height: 32 });
    expect(await pixel(t.bytes, 3, 3)).toEqual([255, 0, 0]);
    expect(await pixel(t.bytes, 28, 28)).toEqual([0, 0, 255]);
  });

  it('falls back to SD1.5\'s factors for a 4-channel latent with no model upstream, and skips other latents', async () => {
    const zeros = { samples: { data: new Float32Array(4 * 8 * 8), dims: [1, 4, 8, 8] } };
    const [t] = await inspectThumbnails(graph, ['empty'], new Map([['empty', { latent: zeros }]]));
    expect([t.width, t.height]).toEqual([64, 64]);
    // A zero latent shows the bias colour: 0.5 grey.
    expect(await pixel(t.bytes, 10, 10)).toEqual(SD15_LATENT_RGB.bias.map((b) => Math.round(b * 255)));
    expect(await inspectThumbnails(graph, ['empty'], new Map([['empty', { latent: twoChannelLatent() }]]))).toEqual([]);
  });

  it('keeps IMAGE outputs as they are, at most 256 px', async () => {
    const data = new Float32Array(3 * 512 * 300).fill(1);
    const [t] = await inspectThumbnails(
      { version: 1, nodes: [node('img', 'solid_color')], edges: [] }, ['img'], new Map([['img', { image: { data, dims: [1, 3, 300, 512] } }]]));
    expect([t.width, t.height]).toEqual([256, 150]);
    expect(await pixel(t.bytes, 100, 100)).toEqual([255, 255, 255]);
  });
});
