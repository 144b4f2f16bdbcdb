import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { makeThumbnail, THUMBNAIL_SIZE } from './thumbnail';

async function png(width: number, height: number, left: [number, number, number], right: [number, number, number]) {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw.set(x < width / 2 ? left : right, (y * width + x) * 3);
  }
  return new Uint8Array(await sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer());
}

describe('makeThumbnail', () => {
  it('fits a 1024x512 output into 256 px as WebP, keeping the picture', async () => {
    const t = await makeThumbnail(await png(1024, 512, [255, 0, 0], [0, 0, 255]));
    expect([t.width, t.height, t.mime]).toEqual([THUMBNAIL_SIZE, 128, 'image/webp']);
    const meta = await sharp(t.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 256, 128]);
    const { data, info } = await sharp(t.bytes).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
    expect(at(32, 64).map((v) => Math.round(v / 16))).toEqual([16, 0, 0]); // red half
    expect(at(224, 64).map((v) => Math.round(v / 16))).toEqual([0, 0, 16]); // blue half
    expect(t.bytes.byteLength).toBeLessThan(4000);
  });

  it('never enlarges a small output', async () => {
    const t = await makeThumbnail(await png(100, 60, [0, 255, 0], [0, 255, 0]));
    expect([t.width, t.height]).toEqual([100, 60]);
  });

  it('rejects bytes that are not an image', async () => {
    await expect(makeThumbnail(new Uint8Array([1, 2, 3]))).rejects.toThrow();
  });
});
