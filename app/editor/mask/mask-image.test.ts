import { describe, expect, it } from 'vitest';
import { MASK_RGB, maskedFileName, maskLayerFromAlpha, withMaskAsAlpha } from './mask-image';

describe('mask layer <-> picture alpha', () => {
  it('starts the layer from the picture\'s transparency and saves the layer back as 255 - alpha', () => {
    const picture = new Uint8ClampedArray([10, 20, 30, 255, 40, 50, 60, 0, 70, 80, 90, 200]);
    const layer = maskLayerFromAlpha(picture);
    expect(Array.from(layer)).toEqual([...MASK_RGB, 0, ...MASK_RGB, 255, ...MASK_RGB, 55]);
    layer[3] = 128; // painted half over the first pixel
    layer[7] = 0; // erased the second
    expect(Array.from(withMaskAsAlpha(picture, layer))).toEqual([10, 20, 30, 127, 40, 50, 60, 255, 70, 80, 90, 200]);
  });

  it('refuses a layer of another size', () => {
    expect(() => withMaskAsAlpha(new Uint8ClampedArray(8), new Uint8ClampedArray(4))).toThrow(/2 pixels, mask 1/);
  });

  it('names the saved picture after the original', () => {
    expect(maskedFileName('sprite.png')).toBe('sprite-mask.png');
    expect(maskedFileName('sprite-mask.png')).toBe('sprite-mask.png');
    expect(maskedFileName('.png')).toBe('image-mask.png');
  });
});
