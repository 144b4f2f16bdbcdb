import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxRuntime } from '../runtime/onnx';
import { decodeImage } from '../runtime/image';
import type { Tensor } from '../runtime/tensor';
import { GraphBuilder } from '../onnx/builder';
import { readModel, writeModel } from '../onnx/model-io';
import { convertEsrganSlim } from '../pack/esrgan/part';
import { esrganSlimDir } from '../pack/esrgan/esrgan-slim';
import { loadUpscaler } from './upscaler';

let dir: string;
let rt: OnnxRuntime;
let photo: Tensor;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-upscaler-'));
  rt = new OnnxRuntime({ provider: 'cpu', budgetBytes: 1 << 30, onWarning: () => undefined });
  for (const s of [2, 4]) fs.writeFileSync(path.join(dir, `x${s}.onnx`), convertEsrganSlim(s));
  // 96x96 of the package's hibiscus photo: petals, stamens and leaves, so seams would show.
  const png = await sharp(path.join(esrganSlimDir(), 'assets/fixture.png')).removeAlpha().extract({ left: 16, top: 16, width: 96, height: 96 }).png().toBuffer();
  photo = await decodeImage(png);
});

afterAll(async () => {
  await rt.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

function diff(a: Tensor, b: Tensor): { max: number; mean: number } {
  expect(a.dims).toEqual(b.dims);
  let max = 0, sum = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i] - b.data[i]);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.data.length };
}

/** Nearest-neighbour x`scale` reference in NCHW. */
function nearest(t: Tensor, scale: number): Tensor {
  const [, c, h, w] = t.dims;
  const H = h * scale, W = w * scale;
  const data = new Float32Array(c * H * W);
  for (let ch = 0; ch < c; ch++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[(ch * H + y) * W + x] = t.data[(ch * h + Math.floor(y / scale)) * w + Math.floor(x / scale)];
  return { data, dims: [1, c, H, W] };
}

/** A metadata-free nearest-neighbour upscaler with the given input/output layout, dtype and size. */
function nearestModel(file: string, o: { scale: number; layout?: 'NCHW' | 'NHWC'; half?: boolean; size?: [number, number] }): string {
  const g = new GraphBuilder('nearest');
  const nhwc = o.layout === 'NHWC';
  const [h, w] = o.size ?? ['h', 'w'];
  const type = o.half ? 'float16' : 'float32';
  let x = g.input('pixels', type, nhwc ? [1, h, w, 3] : [1, 3, h, w]);
  if (o.half) x = g.op('Cast', [x], { attrs: { to: 1 } });
  if (nhwc) x = g.op('Transpose', [x], { attrs: { perm: [0, 3, 1, 2] } });
  x = g.op('Resize', [x, null, g.constant([1, 1, o.scale, o.scale])], { attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' } });
  if (nhwc) x = g.op('Transpose', [x], { attrs: { perm: [0, 2, 3, 1] } });
  if (o.half) x = g.op('Cast', [x], { attrs: { to: 10 } });
  g.output(x, 'big', type);
  const full = path.join(dir, file);
  fs.writeFileSync(full, g.toBytes());
  return full;
}

describe('OnnxUpscaler on the converted esrgan-slim models', () => {
  it('reads scale, layout and range from the metadata and sizes tiles from the memory budget', async () => {
    const x4 = await loadUpscaler(rt, path.join(dir, 'x4.onnx'));
    expect([x4.kind, x4.name, x4.scale, x4.layout, x4.range, x4.provider]).toEqual(['upscaler', 'x4.onnx', 4, 'NCHW', 1, 'cpu']);
    // Liveness peak of the x4 graph, in its body since the converter folds the x4 upsampling into the last
    // conv: before GFF_1, F_m1 + LRL_1 + LRL_2 + their 128-channel concat (64 + 64 + 64 + 128 = 320 floats
    // per input pixel), times 4 bytes, times the safety allowance of 3. (Unfolded, the 48-channel map and its
    // 16x larger upsampled copy peaked at 816.)
    expect(x4.bytesPerPixel).toBe(320 * 4 * 3);
    expect(x4.autoTile()).toBe(Math.floor(Math.sqrt((512 * 2 ** 20) / (320 * 12)) / 8) * 8); // 368
    expect(x4.autoTile(128 * 2 ** 20)).toBe(184);
    expect(x4.autoTile(16 * 2 ** 20)).toBe(96); // never below twice the smallest tile
    const x2 = await loadUpscaler(rt, path.join(dir, 'x2.onnx'));
    expect(x2.scale).toBe(2);
    expect(x2.autoTile()).toBe(x4.autoTile()); // same body, same peak: the tails are small once folded
  });

  for (const scale of [4, 2]) {
    it(`x${scale}: a 96x96 photo forced into 40px tiles (16 tiles) matches the untiled result within 2/255`, async () => {
      const up = await loadUpscaler(rt, path.join(dir, `x${scale}.onnx`));
      const whole = await up.upscale(photo, { tile: 96 });
      expect(whole.dims).toEqual([1, 3, 96 * scale, 96 * scale]);
      const progress: number[][] = [];
      const tiled = await up.upscale(photo, { tile: 40, onProgress: (d, t) => progress.push([d, t]) });
      expect(progress.at(-1)).toEqual([16, 16]);
      const d = diff(tiled, whole);
      expect(d.max).toBeLessThanOrEqual(2 / 255);
      expect(d.mean).toBeLessThan(0.01 / 255);
      // The model adds detail a plain resize does not have, so the comparison is not vacuous.
      expect(diff(whole, nearest(photo, scale)).mean).toBeGreaterThan(5 / 255);
    });
  }

  it('cancels between tiles', async () => {
    const up = await loadUpscaler(rt, path.join(dir, 'x2.onnx'));
    const ac = new AbortController();
    let tiles = 0;
    const run = up.upscale(photo, { tile: 48, signal: ac.signal, onProgress: (d) => (tiles = d) === 2 && ac.abort('user') });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(tiles).toBe(2);
  });

  it('upscales colour with the model and alpha with a resize, item by item in a batch', async () => {
    const up = await loadUpscaler(rt, path.join(dir, 'x2.onnx'));
    const plane = 24 * 24;
    const rgba = new Float32Array(2 * 4 * plane);
    rgba.set(photo.data.subarray(0, 3 * plane), 0); // any colours; alpha 1 for item 0
    rgba.fill(1, 3 * plane, 4 * plane);
    rgba.set(photo.data.subarray(0, 3 * plane), 4 * plane);
    rgba.fill(0.5, 7 * plane, 8 * plane);
    const progress: number[][] = [];
    const out = await up.upscale({ data: rgba, dims: [2, 4, 24, 24] }, { onProgress: (d, t) => progress.push([d, t]) });
    expect(out.dims).toEqual([2, 4, 48, 48]);
    expect(progress).toEqual([[1, 2], [2, 2]]);
    const outPlane = 48 * 48;
    expect(out.data[3 * outPlane + 100]).toBeCloseTo(1, 2);
    expect(out.data[4 * outPlane + 3 * outPlane + 100]).toBeCloseTo(0.5, 2);
    const first = out.data.subarray(0, 3 * outPlane), second = out.data.subarray(4 * outPlane, 7 * outPlane);
    expect(diff({ data: first, dims: [3] }, { data: second, dims: [3] }).max).toBe(0);
  });
});

describe('OnnxUpscaler on models without metadata', () => {
  it('probes the scale of a model that does not declare it', async () => {
    const bytes = readModel(fs.readFileSync(path.join(dir, 'x2.onnx')));
    bytes.metadataProps = [];
    const file = path.join(dir, 'x2-bare.onnx');
    fs.writeFileSync(file, writeModel(bytes));
    const up = await loadUpscaler(rt, file, { name: 'bare' });
    expect([up.name, up.scale]).toEqual(['bare', 2]);
    const img: Tensor = { data: photo.data.slice(0, 3 * 96 * 32), dims: [1, 3, 32, 96] };
    expect((await up.upscale(img)).dims).toEqual([1, 3, 64, 192]);
  });

  it('feeds a float16 model half floats and reads its half output', async () => {
    const up = await loadUpscaler(rt, nearestModel('half.onnx', { scale: 3, half: true }));
    expect(up.scale).toBe(3);
    // Peak: the 27-float resized map and its 27-float half copy per input pixel, 2 bytes each, x3 allowance.
    expect(up.bytesPerPixel).toBe(54 * 2 * 3);
    const out = await up.upscale(photo, {});
    expect(diff(out, nearest(photo, 3)).max).toBeLessThan(1 / 1024); // half precision near 1
  });

  it('detects an NHWC model from its input shape', async () => {
    const up = await loadUpscaler(rt, nearestModel('nhwc.onnx', { scale: 2, layout: 'NHWC' }));
    expect([up.layout, up.scale]).toEqual(['NHWC', 2]);
    expect(diff(await up.upscale(photo, { tile: 48 }), nearest(photo, 2)).max).toBeLessThan(1e-6); // blend weights sum to 1 in float32
  });

  it('tiles a fixed-size model at its size and pads images smaller than it', async () => {
    const up = await loadUpscaler(rt, nearestModel('fixed.onnx', { scale: 2, size: [32, 48] }));
    expect([up.fixedSize, up.autoTile()]).toEqual([[32, 48], 32]);
    const wide: Tensor = { data: photo.data.slice(0, 3 * 70 * 40), dims: [1, 3, 40, 70] };
    expect(diff(await up.upscale(wide), nearest(wide, 2)).max).toBeLessThan(1e-6);
    const small: Tensor = { data: photo.data.slice(0, 3 * 20 * 20), dims: [1, 3, 20, 20] };
    expect(diff(await up.upscale(small), nearest(small, 2)).max).toBe(0); // one padded tile, no blending
  });

  it('says what it expects from a model that is not an image-to-image network', async () => {
    const g = new GraphBuilder('vector');
    g.output(g.op('Relu', [g.input('v', 'float32', [1, 8])]), 'y', 'float32');
    const file = path.join(dir, 'vector.onnx');
    fs.writeFileSync(file, g.toBytes());
    await expect(loadUpscaler(rt, file)).rejects.toThrow(/upscaler "vector.onnx": expects one image input \[batch, channels, height, width\]; it has v \[1, 8\]/);
  });
});
