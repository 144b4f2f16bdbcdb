// Reads a generated image the way a person downloads it (its artifact URL, fetched in the page) and
// measures it against two expected colours: where the shape colour is, and what is neither colour.
import type { Page } from '@playwright/test';

type Rgb = readonly [number, number, number];

export interface TwoColourStats {
  width: number;
  height: number;
  centre: [number, number, number];
  corners: [number, number, number][];
  /** Pixels within `tolerance` of each expected colour, and the rest. */
  shapePixels: number;
  backgroundPixels: number;
  otherPixels: number;
  /** Bounding box of the shape-coloured pixels (inclusive), or null when there are none. */
  shapeBox: { x0: number; y0: number; x1: number; y1: number } | null;
}

export async function twoColourStats(page: Page, url: string, shape: Rgb, background: Rgb, tolerance = 3): Promise<TwoColourStats> {
  return page.evaluate(async ({ url, shape, background, tolerance }) => {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
    // No colour management: the numbers must be the file's own.
    const bmp = await createImageBitmap(await res.blob(), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    const canvas = new OffscreenCanvas(bmp.width, bmp.height);
    const g = canvas.getContext('2d')!;
    g.drawImage(bmp, 0, 0);
    const { data, width, height } = g.getImageData(0, 0, bmp.width, bmp.height);
    const px = (x: number, y: number): [number, number, number] => {
      const o = (y * width + x) * 4;
      return [data[o], data[o + 1], data[o + 2]];
    };
    const near = (p: readonly number[], c: readonly number[]) => p.every((v, i) => Math.abs(v - c[i]) <= tolerance);
    let shapePixels = 0, backgroundPixels = 0, otherPixels = 0;
    let box: { x0: number; y0: number; x1: number; y1: number } | null = null;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const p = px(x, y);
        if (near(p, shape)) {
          shapePixels++;
          box = box
            ? { x0: Math.min(box.x0, x), y0: Math.min(box.y0, y), x1: Math.max(box.x1, x), y1: Math.max(box.y1, y) }
            : { x0: x, y0: y, x1: x, y1: y };
        } else if (near(p, background)) backgroundPixels++;
        else otherPixels++;
      }
    }
    return {
      width, height,
      centre: px(width >> 1, height >> 1),
      corners: [px(0, 0), px(width - 1, 0), px(0, height - 1), px(width - 1, height - 1)],
      shapePixels, backgroundPixels, otherPixels, shapeBox: box,
    };
  }, { url, shape, background, tolerance });
}
