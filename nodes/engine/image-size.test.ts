// MAX_IMAGE_PIXELS: static size propagation in validateGraph (image_too_large with node and param), and the
// run-time refusals of nodes whose size is only known while running (executor with a small limit).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyNodeDefinition, ExecuteContext } from '../define';
import { getCatalog, registry } from '../registry';
import { solidColor } from '../defs/image/solid-color';
import { emptyLatent } from '../defs/latent/empty-latent';
import { vaeDecode } from '../defs/latent/vae-decode';
import type { OnnxRuntime } from '../runtime/onnx';
import { ModelStore } from '../runtime/models';
import { InputStore } from '../runtime/inputs';
import type { VaeModel } from '../values';
import { Executor } from './executor';
import { DEFAULT_MAX_IMAGE_PIXELS } from './image-size';
import { validateGraph } from './validate';

type N = { id: string; type: string; params?: Record<string, unknown> };
const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });

/** A chain of IMAGE nodes ending in Save Image: each node's "image" output feeds the next one's "image" input. */
function chain(...nodes: N[]) {
  const all = [...nodes, { id: 'save', type: 'save_image' }];
  return {
    version: 1 as const,
    nodes: all.map((n) => ({ id: n.id, type: n.type, typeVersion: 1, params: n.params ?? {} })),
    edges: all.slice(1).map((n, i) => edge(all[i].id, 'image', n.id, n.id === 'save' ? 'images' : 'image')),
  };
}

function sizeProblems(graph: unknown, maxPixels = DEFAULT_MAX_IMAGE_PIXELS) {
  const r = validateGraph(graph, {
    catalog: getCatalog(),
    imageSizes: { maxPixels, outputSize: (type) => registry.get(type)?.outputSize as never },
  });
  return r.problems.filter((p) => p.code === 'image_too_large');
}

describe('static image sizes (validateGraph)', () => {
  it('Solid Colour -> Resize x4 -> Upscale x4: the upscale is refused, naming node, param, size and limit', () => {
    const g = chain(
      { id: 'fill', type: 'solid_color', params: { width: 1024, height: 1024 } },
      { id: 'big', type: 'resize', params: { scale: 4 } },
      { id: 'up', type: 'upscale_image', params: { mode: 'resize', scale: 4 } },
    );
    expect(sizeProblems(g)).toEqual([{
      code: 'image_too_large', nodeId: 'up', param: 'scale',
      message: 'node "up" (Upscale Image) would output 16384x16384 (268,435,456 pixels), above MAX_IMAGE_PIXELS (16,777,216); lower scale',
    }]);
    // Exactly at the limit is allowed: 4096 x 4096.
    expect(sizeProblems(chain(g.nodes[0], g.nodes[1]))).toEqual([]);
  });

  it('chained x16 resizes are refused at the first one past the limit, and only there', () => {
    const g = chain(
      { id: 'fill', type: 'solid_color', params: { width: 64, height: 64 } },
      { id: 'r1', type: 'resize', params: { scale: 16 } },
      { id: 'r2', type: 'resize', params: { scale: 16 } },
      { id: 'r3', type: 'resize', params: { scale: 16 } },
    );
    expect(sizeProblems(g).map((p) => [p.nodeId, p.param, p.message])).toEqual([
      ['r2', 'scale', 'node "r2" (Resize Image) would output 16384x16384 (268,435,456 pixels), above MAX_IMAGE_PIXELS (16,777,216); lower scale'],
    ]);
  });

  it('sources: Solid Colour by its sides, Empty Latent by its batch (latents count the pixels they decode to)', () => {
    expect(sizeProblems(chain({ id: 'fill', type: 'solid_color', params: { width: 8192, height: 4096 } })).map((p) => [p.nodeId, p.param]))
      .toEqual([['fill', 'width']]);
    const latent = {
      version: 1 as const,
      nodes: [{ id: 'latent', type: 'empty_latent', typeVersion: 1, params: { width: 4096, height: 4096, batch_size: 2 } }],
      edges: [],
    };
    expect(validateGraph(latent, {
      catalog: getCatalog(), targets: ['latent'], imageSizes: { maxPixels: DEFAULT_MAX_IMAGE_PIXELS, outputSize: (t) => registry.get(t)?.outputSize as never },
    }).problems).toEqual([{
      code: 'image_too_large', nodeId: 'latent', param: 'batch_size',
      message: 'node "latent" (Empty Latent) would output 4096x4096 x 2 images (33,554,432 pixels), above MAX_IMAGE_PIXELS (16,777,216); lower batch_size',
    }]);
  });

  it('propagates through Flip / Rotate (sides swap), Crop (its rectangle) and Composite (the base)', () => {
    // 8192x1024 turned a quarter is 1024x8192; width 4096 keeps the aspect: 4096x32768.
    const turned = chain(
      { id: 'fill', type: 'solid_color', params: { width: 8192, height: 1024 } },
      { id: 'turn', type: 'transform', params: { operation: 'rotate_90' } },
      { id: 'wide', type: 'resize', params: { width: 4096 } },
    );
    expect(sizeProblems(turned).map((p) => [p.nodeId, p.param, p.message])).toEqual([
      ['wide', 'width', 'node "wide" (Resize Image) would output 4096x32768 (134,217,728 pixels), above MAX_IMAGE_PIXELS (16,777,216); lower width'],
    ]);
    const flipped = chain(turned.nodes[0], { id: 'turn', type: 'transform', params: { operation: 'flip_vertical' } }, turned.nodes[2]);
    expect(sizeProblems(flipped)).toEqual([]);
    const cropped = chain(
      { id: 'fill', type: 'solid_color', params: { width: 4096, height: 4096 } },
      { id: 'crop', type: 'crop', params: { width: 1024, height: 1024 } },
      { id: 'big', type: 'resize', params: { scale: 4 } },
    );
    expect(sizeProblems(cropped)).toEqual([]);
    const composite = {
      version: 1 as const,
      nodes: [
        { id: 'base', type: 'solid_color', typeVersion: 1, params: { width: 4096, height: 4096 } },
        { id: 'over', type: 'solid_color', typeVersion: 1, params: { width: 8, height: 8 } },
        { id: 'mix', type: 'composite', typeVersion: 1, params: {} },
        { id: 'big', type: 'resize', typeVersion: 1, params: { scale: 1.5 } },
        { id: 'save', type: 'save_image', typeVersion: 1, params: {} },
      ],
      edges: [edge('base', 'image', 'mix', 'base'), edge('over', 'image', 'mix', 'overlay'), edge('mix', 'image', 'big', 'image'), edge('big', 'image', 'save', 'images')],
    };
    expect(sizeProblems(composite).map((p) => p.nodeId)).toEqual(['big']);
  });

  it('Empty Latent -> Sampler -> VAE Decode -> Upscale: sizes cross latents and the VAE', () => {
    const g = {
      version: 1 as const,
      nodes: [
        { id: 'latent', type: 'empty_latent', typeVersion: 1, params: { width: 2048, height: 2048 } },
        { id: 'sampler', type: 'sampler', typeVersion: 1, params: {} },
        { id: 'decode', type: 'vae_decode', typeVersion: 1, params: {} },
        { id: 'up', type: 'upscale_image', typeVersion: 1, params: { mode: 'resize', scale: 2.5 } },
        { id: 'save', type: 'save_image', typeVersion: 1, params: {} },
      ],
      edges: [edge('latent', 'latent', 'sampler', 'latent'), edge('sampler', 'latent', 'decode', 'latent'), edge('decode', 'image', 'up', 'image'), edge('up', 'image', 'save', 'images')],
    };
    expect(sizeProblems(g).map((p) => [p.nodeId, p.param])).toEqual([['up', 'scale']]);
  });

  it('unknown sizes are skipped (Load Image, an upscale model), left to the run-time check', () => {
    expect(sizeProblems(chain({ id: 'load', type: 'load_image' }, { id: 'big', type: 'resize', params: { scale: 16 } }))).toEqual([]);
    expect(sizeProblems(chain(
      { id: 'fill', type: 'solid_color', params: { width: 4096, height: 4096 } },
      { id: 'up', type: 'upscale_image', params: { mode: 'model' } },
    ))).toEqual([]);
    // Without the option (the browser's catalog-only validation) nothing is computed.
    const big = chain({ id: 'fill', type: 'solid_color', params: { width: 8192, height: 8192 } });
    expect(validateGraph(big, { catalog: getCatalog() }).problems).toEqual([]);
  });
});

describe('run-time image sizes (executor limits)', () => {
  let dir: string;
  const executor = (maxImagePixels: number) => new Executor({
    runtime: { ortMs: 0 } as OnnxRuntime, models: new ModelStore('/nonexistent'), inputs: new InputStore([dir]), limits: { maxImagePixels },
  });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-image-size-'));
    await sharp({ create: { width: 100, height: 80, channels: 3, background: '#102030' } }).png().toFile(path.join(dir, 'photo.png'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('Load Image refuses a file over the limit from its header, naming the file, its size and the limit', async () => {
    const r = await executor(64 * 64).run(chain({ id: 'load', type: 'load_image', params: { image: 'photo.png' } }), { runId: 'r' });
    expect(r.status).toBe('failed');
    expect(r.error).toEqual({
      nodeId: 'load', code: 'image_too_large',
      message: 'Load Image (load): "photo.png" would output 100x80 (8,000 pixels), above MAX_IMAGE_PIXELS (4,096); use a smaller image',
    });
    expect((await executor(100 * 80).run(chain({ id: 'load', type: 'load_image', params: { image: 'photo.png' } }), { runId: 'r' })).status).toBe('succeeded');
  });

  it('Resize after an image of unknown size is refused before it allocates', async () => {
    const g = chain({ id: 'load', type: 'load_image', params: { image: 'photo.png' } }, { id: 'big', type: 'resize', params: { scale: 2 } });
    const r = await executor(150 * 150).run(g, { runId: 'r' });
    expect(r.error).toEqual({
      nodeId: 'big', code: 'image_too_large',
      message: 'Resize Image (big): would output 200x160 (32,000 pixels), above MAX_IMAGE_PIXELS (22,500); lower scale',
    });
    expect(r.nodes.map((n) => [n.id, n.status])).toEqual([['load', 'succeeded'], ['big', 'failed'], ['save', 'skipped']]);
  });

  it('the executor validates with its own limit: a static refusal before any node runs', async () => {
    const r = await executor(64 * 64).run(chain({ id: 'fill', type: 'solid_color', params: { width: 128, height: 64 } }), { runId: 'r' });
    expect(r.error?.code).toBe('invalid_graph');
    expect(r.error?.problems).toEqual([{
      code: 'image_too_large', nodeId: 'fill', param: 'width',
      message: 'node "fill" (Solid Colour) would output 128x64 (8,192 pixels), above MAX_IMAGE_PIXELS (4,096); lower width',
    }]);
    expect(r.nodes).toEqual([]);
  });

  // Sources whose size validation always knows still check before allocating (a host may skip validation).
  it('Solid Colour, Empty Latent and VAE Decode check ctx.limits themselves', async () => {
    const ctx = { limits: { maxImagePixels: 1000 } } as ExecuteContext;
    const run = (def: AnyNodeDefinition, inputs: Record<string, unknown>, params: Record<string, unknown>) => def.execute(ctx, inputs, params);
    await expect(run(solidColor, {}, { width: 64, height: 32, color: '#fff' })).rejects.toMatchObject({
      code: 'image_too_large', param: 'width', message: 'would output 64x32 (2,048 pixels), above MAX_IMAGE_PIXELS (1,000); lower width',
    });
    await expect(run(emptyLatent, {}, { width: 16, height: 16, batch_size: 4 })).rejects.toMatchObject({ code: 'image_too_large', param: 'batch_size' });
    const vae = { decode: () => { throw new Error('must not decode'); } } as unknown as VaeModel;
    const latent = { samples: { data: new Float32Array(4 * 4 * 4), dims: [1, 4, 4, 4] } };
    await expect(run(vaeDecode, { latent, vae }, {})).rejects.toMatchObject({
      code: 'image_too_large', message: 'would output 32x32 (1,024 pixels), above MAX_IMAGE_PIXELS (1,000)',
    });
  });
});
