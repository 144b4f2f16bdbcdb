// Canny Edges on pixels: a square's outline, a flat image, thresholds and hysteresis along a fading edge.
import { describe, expect, it } from 'vitest';
import { canny } from './canny';
import type { ExecuteContext } from '../../define';
import type { Tensor } from '../../runtime/tensor';

const ctx = { progress: () => {} } as unknown as ExecuteContext;

/** RGB image [1,3,h,w] whose every channel is `value(x, y)`. */
function image(w: number, h: number, value: (x: number, y: number) => number): Tensor {
  const data = new Float32Array(3 * w * h);
  for (let c = 0; c < 3; c++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[(c * h + y) * w + x] = value(x, y);
  return { data, dims: [1, 3, h, w] };
}

async function edges(img: Tensor, low = 0.4, high = 0.8): Promise<{ out: Tensor; at: (x: number, y: number) => number }> {
  const { image: out } = await canny.execute(ctx, { image: img }, { low_threshold: low, high_threshold: high });
  const [, , h, w] = out.dims;
  for (let i = 0; i < w * h; i++) {
    expect(out.data[i]).toBe(out.data[w * h + i]);
    expect(out.data[i]).toBe(out.data[2 * w * h + i]);
  }
  return { out, at: (x, y) => out.data[y * w + x] };
}

describe('Canny Edges', () => {
  it('a white square on black gives its one-pixel border, closed, and nothing else', async () => {
    const w = 32, h = 24, x0 = 8, x1 = 19, y0 = 6, y1 = 15;
    const { out, at } = await edges(image(w, h, (x, y) => (x >= x0 && x <= x1 && y >= y0 && y <= y1 ? 1 : 0)));
    expect(out.dims).toEqual([1, 3, h, w]);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const inside = x >= x0 && x <= x1 && y >= y0 && y <= y1;
        const border = inside && (x === x0 || x === x1 || y === y0 || y === y1);
        expect(at(x, y), `(${x}, ${y})`).toBe(border ? 1 : 0);
      }
    }
  });

  it('a flat image has no edges, whatever its colour', async () => {
    for (const v of [0, 0.5, 1]) {
      const { out } = await edges(image(20, 12, () => v), 0.01, 0.02);
      expect(out.data.every((x) => x === 0)).toBe(true);
    }
  });

  it('a weak edge below the high threshold disappears on its own and appears with a lower high threshold', async () => {
    // A unit step has Sobel magnitude 4 * (1 - k1 - 2 k2) = 2.59 after the sigma-1 Gaussian (k1 = 0.2442,
    // k2 = 0.0545), so a 0.3-contrast square's border is ~0.77: between low 0.4 and high 0.8, touching nothing strong.
    const square = image(24, 20, (x, y) => (x >= 6 && x <= 17 && y >= 5 && y <= 14 ? 0.3 : 0));
    expect((await edges(square)).out.data.some((v) => v > 0)).toBe(false);
    const shown = await edges(square, 0.4, 0.7);
    expect(shown.at(6, 5) + shown.at(17, 14) + shown.at(10, 5) + shown.at(6, 10)).toBe(4);
    // Below the low threshold (0.12 contrast: ~0.31) nothing shows even with a strong neighbour's help.
    expect((await edges(image(24, 20, (x, y) => (x >= 6 && y >= 5 ? 0.12 : 0)), 0.4, 0.8)).out.data.some((v) => v > 0)).toBe(false);
  });

  it('hysteresis follows a fading edge from its strong end down to the low threshold', async () => {
    // Bottom half brightness fades 1 -> 0.2 left to right; the edge magnitude is ~2.59 v(x). Strong (>= 0.8) needs
    // v >= 0.31 (x <= 33); weak pixels joined to it stay down to the low threshold: 0.6 keeps v >= 0.232 (x <= 37),
    // 0.4 keeps every column.
    const w = 40;
    const fade = image(w, 16, (x, y) => (y >= 8 ? 1 - (0.8 * x) / (w - 1) : 0));
    const row = async (low: number) => {
      const { out, at } = await edges(fade, low, 0.8);
      expect(out.data.slice(0, w * 16).reduce((n, v) => n + v, 0)).toBe(Array.from({ length: w }, (_, x) => at(x, 8)).reduce((n, v) => n + v, 0));
      return Array.from({ length: w }, (_, x) => at(x, 8)).lastIndexOf(1);
    };
    expect(await row(0.8)).toBe(33);
    expect(await row(0.6)).toBe(37);
    expect(await row(0.4)).toBe(39);
  });

  it('a low threshold above the high one fails naming the param', async () => {
    await expect(canny.execute(ctx, { image: image(8, 8, () => 0) }, { low_threshold: 0.9, high_threshold: 0.5 })).rejects.toMatchObject({
      code: 'param_invalid',
      param: 'low_threshold',
    });
  });
});
