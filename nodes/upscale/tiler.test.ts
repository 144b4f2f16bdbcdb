import { describe, expect, it } from 'vitest';
import { RunCancelledError } from '../engine/errors';
import type { Tensor } from '../runtime/tensor';
import { isAllocationError, upscaleTiled, UpscaleMemoryError, type TileRunner } from './tiler';

function image(c: number, h: number, w: number): Tensor {
  return { data: Float32Array.from({ length: c * h * w }, (_, i) => 0.5 + 0.45 * Math.sin(i * 0.731) * Math.cos(i * 0.013)), dims: [1, c, h, w] };
}

/**
 * A stand-in for a convolutional upscaler: 3x3 box blur with zero padding (so a tile's border pixels
 * differ from the whole image's), then nearest x2. Radius 1 < the tiler's margin, so tiling is exact.
 */
const blurUp: TileRunner = async (t) => {
  const [, c, h, w] = t.dims;
  const out = new Float32Array(c * h * w * 4);
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let acc = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy, xx = x + dx;
            if (yy >= 0 && yy < h && xx >= 0 && xx < w) acc += t.data[(ch * h + yy) * w + xx];
          }
        }
        for (let k = 0; k < 4; k++) out[(ch * h * 2 + y * 2 + (k >> 1)) * w * 2 + x * 2 + (k & 1)] = acc / 9;
      }
    }
  }
  return { data: out, dims: [1, c, h * 2, w * 2] };
};

function maxDiff(a: Tensor, b: Tensor): number {
  expect(a.dims).toEqual(b.dims);
  return a.data.reduce((m, v, i) => Math.max(m, Math.abs(v - b.data[i])), 0);
}

describe('upscaleTiled', () => {
  it('blends overlapping tiles into exactly the untiled result when the margin exceeds the receptive field', async () => {
    const img = image(3, 96, 80);
    const whole = await blurUp(img);
    const progress: [number, number][] = [];
    const tiled = await upscaleTiled(img, blurUp, { scale: 2, tile: 48, onProgress: (d, t) => progress.push([d, t]) });
    expect(maxDiff(tiled, whole)).toBeLessThan(1e-6);
    // overlap 16 (a third of the tile): 96 rows -> 3 tiles, 80 columns -> 2 tiles
    expect(progress).toEqual(Array.from({ length: 6 }, (_, i) => [i + 1, 6]));
  });

  it('runs once, untiled, when the tile spans the image', async () => {
    let runs = 0;
    const img = image(3, 20, 30);
    const out = await upscaleTiled(img, async (t) => (runs++, blurUp(t)), { scale: 2, tile: 64 });
    expect(runs).toBe(1);
    expect(maxDiff(out, await blurUp(img))).toBe(0);
  });

  it('stops between tiles when the signal is aborted', async () => {
    const ac = new AbortController();
    let runs = 0;
    const run: TileRunner = async (t) => {
      if (++runs === 2) ac.abort('stop');
      return blurUp(t);
    };
    await expect(upscaleTiled(image(3, 96, 96), run, { scale: 2, tile: 48, signal: ac.signal })).rejects.toBeInstanceOf(RunCancelledError);
    expect(runs).toBe(2);
  });

  it('halves the tile and starts over when the runtime cannot allocate, until tiles fit', async () => {
    const tried: number[] = [];
    const run: TileRunner = async (t) => {
      tried.push(t.dims[2]);
      if (t.dims[2] * t.dims[3] > 40 * 40) throw new Error('model "x": Failed to allocate memory for requested buffer of size 123456');
      return blurUp(t);
    };
    const retries: number[] = [];
    const img = image(3, 96, 96);
    const out = await upscaleTiled(img, run, { scale: 2, tile: 96, minTile: 16, onRetry: (tile) => retries.push(tile) });
    expect(retries).toEqual([48, 24]);
    expect(tried.slice(0, 2)).toEqual([96, 48]);
    expect(new Set(tried.slice(2))).toEqual(new Set([24]));
    expect(maxDiff(out, await blurUp(img))).toBeLessThan(1e-6);
  });

  it('gives up with an UpscaleMemoryError below the smallest tile, and passes other errors through', async () => {
    const oom: TileRunner = async () => {
      throw new Error('std::bad_alloc');
    };
    await expect(upscaleTiled(image(3, 64, 64), oom, { scale: 2, tile: 64, minTile: 32 })).rejects.toThrow(UpscaleMemoryError);
    await expect(upscaleTiled(image(3, 64, 64), oom, { scale: 2, tile: 64, minTile: 32 })).rejects.toThrow(/even with 32px tiles/);
    const broken: TileRunner = async () => {
      throw new TypeError('bad input');
    };
    await expect(upscaleTiled(image(3, 64, 64), broken, { scale: 2, tile: 32 })).rejects.toThrow('bad input');
    const wrong: TileRunner = async (t) => ({ data: t.data, dims: t.dims });
    await expect(upscaleTiled(image(3, 8, 8), wrong, { scale: 2, tile: 8 })).rejects.toThrow(/returned \[1, 3, 8, 8\] for a tile that should become \[1, 3, 16, 16\]/);
  });

  it('recognises allocation failures by message', () => {
    expect(isAllocationError(new Error('Failed to allocate memory for requested buffer of size 4194304'))).toBe(true);
    expect(isAllocationError(new RangeError('Array buffer allocation failed'))).toBe(true);
    expect(isAllocationError(new Error('Invalid input shape'))).toBe(false);
  });
});
