import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { imageSize } from './image-size';

const image = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: '#336699' } });

describe('imageSize', () => {
  it('reads PNG and JPEG headers', async () => {
    expect(imageSize(await image(123, 45).png().toBuffer(), 'image/png')).toEqual({ width: 123, height: 45 });
    expect(imageSize(await image(640, 7).jpeg({ quality: 80 }).toBuffer(), 'image/jpeg')).toEqual({ width: 640, height: 7 });
    expect(imageSize(await image(300, 200).jpeg({ progressive: true }).withMetadata().toBuffer(), 'image/jpeg')).toEqual({ width: 300, height: 200 });
  });

  it('answers 0x0 for what it cannot read', () => {
    expect(imageSize(new Uint8Array([0xff, 0xd8, 0xff]), 'image/jpeg')).toEqual({ width: 0, height: 0 });
    expect(imageSize(new Uint8Array(10), 'image/webp')).toEqual({ width: 0, height: 0 });
  });
});
