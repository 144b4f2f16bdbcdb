import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { tensorToHwc } from '../runtime/image';
import { latentToRgb, SD15_LATENT_RGB } from './latent-rgb';
import { encodeLatentPreview, previewSize } from './latent-preview';

/** A 4-channel latent of h x w cells whose values vary from cell to cell (and a second batch item to ignore). */
function latent(h: number, w: number) {
  const n = 4 * h * w;
  return { data: Float32Array.from({ length: 2 * n }, (_, i) => (i < n ? Math.sin(i * 0.7) * 1.5 : 9)), dims: [2, 4, h, w] };
}

describe('encodeLatentPreview', () => {
  it('is a PNG of latentToRgb at 8 px per cell, pixel for pixel', async () => {
    const t = latent(5, 7);
    const png = encodeLatentPreview(t, SD15_LATENT_RGB);
    expect([png.width, png.height]).toEqual([56, 40]);
    const px = await sharp(Buffer.from(png.bytes)).raw().toBuffer({ resolveWithObject: true });
    expect([px.info.format, px.info.width, px.info.height, px.info.channels]).toEqual(['raw', 56, 40, 3]);
    const want = tensorToHwc(latentToRgb(t, SD15_LATENT_RGB));
    expect(Buffer.compare(px.data, Buffer.from(want.data))).toBe(0);
  });

  it('fits maxSize, each pixel still the colour of the cell under it', async () => {
    const t = latent(30, 100); // 800 x 240 at 8 px per cell
    expect(previewSize(30, 100)).toEqual({ width: 512, height: 154 });
    const png = encodeLatentPreview(t, SD15_LATENT_RGB);
    const px = await sharp(Buffer.from(png.bytes)).raw().toBuffer({ resolveWithObject: true });
    expect([px.info.width, px.info.height]).toEqual([512, 154]);
    const cells = tensorToHwc(latentToRgb(t, SD15_LATENT_RGB, { scale: 1 }));
    for (const [x, y] of [[0, 0], [511, 153], [300, 77], [5, 150]]) {
      const cx = Math.floor((x * 100) / 512);
      const cy = Math.floor((y * 30) / 154);
      expect([...px.data.subarray((y * 512 + x) * 3, (y * 512 + x) * 3 + 3)]).toEqual([...cells.data.subarray((cy * 100 + cx) * 3, (cy * 100 + cx) * 3 + 3)]);
    }
  });
});
