// The painted mask as pixels: the painter's layer starts from the picture's transparency, and saving makes the
// picture's alpha 255 - mask, so Load Image's MASK output (1 - alpha) is what was painted. No DOM here.

/** The colour the painter draws the mask layer in (only its alpha matters). */
export const MASK_RGB = [255, 64, 160] as const;

/** The mask layer for a picture (RGBA, 8-bit): transparent pixels are already masked. */
export function maskLayerFromAlpha(picture: Uint8ClampedArray): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(picture.length);
  for (let i = 0; i < picture.length; i += 4) {
    out[i] = MASK_RGB[0];
    out[i + 1] = MASK_RGB[1];
    out[i + 2] = MASK_RGB[2];
    out[i + 3] = 255 - picture[i + 3];
  }
  return out;
}

/** The picture with alpha = 255 - mask layer's alpha; its colours are kept as the canvas holds them. */
export function withMaskAsAlpha(picture: Uint8ClampedArray, layer: Uint8ClampedArray): Uint8ClampedArray<ArrayBuffer> {
  if (picture.length !== layer.length) throw new RangeError(`picture has ${picture.length / 4} pixels, mask ${layer.length / 4}`);
  const out = new Uint8ClampedArray(picture);
  for (let i = 3; i < out.length; i += 4) out[i] = 255 - layer[i];
  return out;
}

/** "photo.png" -> "photo-mask.png": the upload keeps a readable original name. */
export function maskedFileName(original: string): string {
  const base = original.replace(/\.[a-z0-9]+$/i, '').replace(/-mask$/, '');
  return `${base || 'image'}-mask.png`;
}
