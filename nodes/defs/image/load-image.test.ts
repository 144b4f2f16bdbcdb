// Load Image's MASK output (1 - alpha) and Set Latent Noise Mask through the executor.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../../engine/executor';
import type { OnnxRuntime } from '../../runtime/onnx';
import { ModelStore } from '../../runtime/models';
import { InputStore } from '../../runtime/inputs';
import type { Graph } from '../../engine/graph';
import type { Tensor } from '../../runtime/tensor';

let dir: string;
const ex = () => new Executor({ runtime: { ortMs: 0 } as OnnxRuntime, models: new ModelStore('/nonexistent'), inputs: new InputStore([dir]) });

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-load-mask-'));
  // 2x1 RGBA: an opaque red pixel and a half-transparent green one.
  await sharp(Buffer.from([255, 0, 0, 255, 0, 255, 0, 51]), { raw: { width: 2, height: 1, channels: 4 } }).png().toFile(path.join(dir, 'rgba.png'));
  await sharp(Buffer.from([10, 20, 30, 40, 50, 60]), { raw: { width: 2, height: 1, channels: 3 } }).png().toFile(path.join(dir, 'rgb.png'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function loadGraph(image: string, alpha = false): Graph {
  return {
    version: 1,
    nodes: [
      { id: 'load', type: 'load_image', typeVersion: 1, params: { image, alpha } },
      { id: 'save', type: 'save_image', typeVersion: 1, params: {} },
    ],
    edges: [{ from: { node: 'load', output: 'image' }, to: { node: 'save', input: 'images' } }],
  };
}

describe('Load Image mask output', () => {
  it('is 1 - alpha (transparent = the area to inpaint), next to an RGB image', async () => {
    const r = await ex().run(loadGraph('rgba.png'), { runId: 'r' });
    expect(r.status).toBe('succeeded');
    const { image, mask } = r.values.get('load')! as { image: Tensor; mask: Tensor };
    expect(image.dims).toEqual([1, 3, 1, 2]);
    expect(Array.from(image.data).map((v) => Math.round(v * 255))).toEqual([255, 0, 0, 255, 0, 0]);
    expect(mask.dims).toEqual([1, 1, 1, 2]);
    expect(mask.data[0]).toBe(0);
    expect(mask.data[1]).toBeCloseTo(1 - 51 / 255, 6);
  });

  it('keeps the alpha channel in the image when asked, and the mask is still 1 - alpha', async () => {
    const r = await ex().run(loadGraph('rgba.png', true), { runId: 'r' });
    const { image, mask } = r.values.get('load')! as { image: Tensor; mask: Tensor };
    expect(image.dims).toEqual([1, 4, 1, 2]);
    expect(image.data[7]).toBeCloseTo(51 / 255, 6);
    expect(mask.data[1]).toBeCloseTo(1 - 51 / 255, 6);
  });

  it('is all 0 (nothing to repaint) for an image without alpha', async () => {
    const r = await ex().run(loadGraph('rgb.png'), { runId: 'r' });
    const { image, mask } = r.values.get('load')! as { image: Tensor; mask: Tensor };
    expect(Array.from(image.data).map((v) => Math.round(v * 255))).toEqual([10, 40, 20, 50, 30, 60]);
    expect(Array.from(mask.data)).toEqual([0, 0]);
  });
});
