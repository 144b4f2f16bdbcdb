import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineNode } from '../../define';
import { Executor, type RunResult } from '../../engine/executor';
import type { RunEvent } from '../../engine/events';
import { OnnxRuntime } from '../../runtime/onnx';
import { ModelStore } from '../../runtime/models';
import { InputStore } from '../../runtime/inputs';
import { decodeImage } from '../../runtime/image';
import type { Tensor } from '../../runtime/tensor';
import { convertEsrganSlim } from '../../pack/esrgan/part';
import { esrganSlimDir } from '../../pack/esrgan/esrgan-slim';
import { upscalerLoader } from '../loaders/upscaler-loader';
import { upscaleImage } from './upscale-image';

let dir: string;
let runtime: OnnxRuntime;
let executor: Executor;
let photo: Tensor;

// A test-only source: the 96x96 photo crop.
const photoNode = defineNode({
  type: 'photo', version: 1, title: 'Photo', category: 'image', description: '',
  inputs: {}, params: {}, outputs: { image: { type: 'IMAGE' } },
  async execute() {
    return { image: photo };
  },
});

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-upscale-node-'));
  fs.mkdirSync(path.join(dir, 'upscalers'));
  fs.writeFileSync(path.join(dir, 'upscalers', 'esrgan-slim-x2.onnx'), convertEsrganSlim(2));
  const png = await sharp(path.join(esrganSlimDir(), 'assets/fixture.png')).removeAlpha().extract({ left: 16, top: 16, width: 96, height: 96 }).png().toBuffer();
  photo = await decodeImage(png);
  runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 1 << 30, onWarning: () => undefined });
  executor = new Executor({ runtime, models: new ModelStore(dir), inputs: new InputStore([]), cacheBytes: 0, nodes: [photoNode, upscalerLoader, upscaleImage] });
});

afterAll(async () => {
  await runtime.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

function graph(params: Record<string, unknown>, withModel = true) {
  const nodes = [
    { id: 'image', type: 'photo', params: {} },
    { id: 'up', type: 'upscale_image', params },
    ...(withModel ? [{ id: 'upscaler', type: 'upscaler_loader', params: { model_name: 'esrgan-slim-x2.onnx' } }] : []),
  ];
  const edges = [
    { from: { node: 'image', output: 'image' }, to: { node: 'up', input: 'image' } },
    ...(withModel ? [{ from: { node: 'upscaler', output: 'upscale_model' }, to: { node: 'up', input: 'upscale_model' } }] : []),
  ];
  return { nodes, edges };
}

async function run(g: unknown, signal?: AbortSignal, onEvent?: (e: RunEvent) => void): Promise<RunResult> {
  return executor.run(g, { runId: 'upscale-test', targets: ['up'], signal, onEvent });
}

const output = (r: RunResult) => r.values.get('up')!.image as Tensor;

describe('upscale_image node', () => {
  it('model mode: x2 super-resolution in 48px tiles with one progress event per tile', async () => {
    const progress: [number, number][] = [];
    const r = await run(graph({ mode: 'model', tile: 48 }), undefined, (e) => e.type === 'node:progress' && e.nodeId === 'up' && progress.push([e.step, e.total]));
    expect(r.status).toBe('succeeded');
    expect(output(r).dims).toEqual([1, 3, 192, 192]);
    expect(progress).toEqual(Array.from({ length: 9 }, (_, i) => [i + 1, 9]));
  });

  it('model mode with scale 0.5: the model output brought back to the input size', async () => {
    const r = await run(graph({ mode: 'model', scale: 0.5 }));
    expect(output(r).dims).toEqual([1, 3, 96, 96]);
    const diff = output(r).data.reduce((a, v, i) => a + Math.abs(v - photo.data[i]), 0) / photo.data.length;
    expect(diff).toBeGreaterThan(0); // went through the model
    expect(diff).toBeLessThan(0.03); // and still the same picture
  });

  it('resize mode needs no model: nearest x2 repeats every pixel', async () => {
    const r = await run(graph({ mode: 'resize', scale: 2, kernel: 'nearest' }, false));
    const out = output(r);
    expect(out.dims).toEqual([1, 3, 192, 192]);
    for (const [c, y, x] of [[0, 0, 0], [1, 57, 13], [2, 191, 190]]) {
      expect(out.data[(c * 192 + y) * 192 + x]).toBe(photo.data[(c * 96 + (y >> 1)) * 96 + (x >> 1)]);
    }
  });

  it('model mode without a connected model fails with a message that says what to connect', async () => {
    const r = await run(graph({ mode: 'model' }, false));
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ nodeId: 'up', code: 'missing_upscale_model' });
    expect(r.error!.message).toMatch(/connect a Load Upscaler node to upscale_model, or set mode to "resize"/);
  });

  it('refuses tiles too small to blend cleanly', async () => {
    const r = await run(graph({ mode: 'model', tile: 16 }));
    expect(r.error).toMatchObject({ nodeId: 'up', code: 'param_invalid' });
    expect(r.error!.message).toMatch(/use 0 \(automatic\) or at least 48/);
  });

  it('is cancelled between tiles', async () => {
    const ac = new AbortController();
    const r = await run(graph({ mode: 'model', tile: 48 }), ac.signal, (e) => e.type === 'node:progress' && e.step === 2 && ac.abort('stop'));
    expect(r.status).toBe('cancelled');
    expect(r.error).toMatchObject({ nodeId: 'up', code: 'cancelled' });
  });

  it('MAX_IMAGE_PIXELS: the model output and the final rescale are each refused before they are allocated', async () => {
    // 96x96 through the x2 model is 192x192 = 36,864 pixels.
    const small = new Executor({ runtime, models: new ModelStore(dir), inputs: new InputStore([]), cacheBytes: 0, nodes: [photoNode, upscalerLoader, upscaleImage], limits: { maxImagePixels: 150 * 150 } });
    const r = await small.run(graph({ mode: 'model' }), { runId: 'limit', targets: ['up'] });
    expect(r.error).toEqual({
      nodeId: 'up', code: 'image_too_large',
      message: 'Upscale Image (up): the x2 model would output 192x192 (36,864 pixels), above MAX_IMAGE_PIXELS (22,500); upscale a smaller image or use a model with a smaller factor',
    });
    const fits = new Executor({ runtime, models: new ModelStore(dir), inputs: new InputStore([]), cacheBytes: 0, nodes: [photoNode, upscalerLoader, upscaleImage], limits: { maxImagePixels: 200 * 200 } });
    const rescaled = await fits.run(graph({ mode: 'model', scale: 1.5 }), { runId: 'limit', targets: ['up'] });
    expect(rescaled.error).toEqual({
      nodeId: 'up', code: 'image_too_large',
      message: 'Upscale Image (up): would output 288x288 (82,944 pixels), above MAX_IMAGE_PIXELS (40,000); lower scale',
    });
    expect((await fits.run(graph({ mode: 'model' }), { runId: 'limit', targets: ['up'] })).status).toBe('succeeded');
  });

  it('the loader reports an unknown model file before running', async () => {
    const g = graph({ mode: 'model' });
    (g.nodes[2].params as { model_name: string }).model_name = 'nope.onnx';
    const r = await run(g);
    expect(r.status).toBe('failed');
    expect(r.error!.message).toMatch(/nope\.onnx/);
  });
});
