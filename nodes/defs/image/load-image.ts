// Load Image: a file from the input folder -> IMAGE (RGB, or RGBA when asked) and its alpha as a MASK.
import { defineNode, param } from '../../define';
import { decodeImage, ImageTooLargeError } from '../../runtime/image';
import { NodeInputError } from '../../engine/errors';
import { tooLargeMessage } from '../../engine/image-size';
import type { Tensor } from '../../runtime/tensor';

export const loadImage = defineNode({
  type: 'load_image',
  version: 1,
  title: 'Load Image',
  category: 'image',
  description: 'Reads a PNG, JPEG, WebP, GIF, TIFF or AVIF file from the input folder.',
  aliases: ['Image Primitive'],
  inputs: {},
  params: {
    image: param.inputImage({ default: 'example.png', label: 'image', description: 'an uploaded image or a file in the input folder' }),
    alpha: param.bool({ default: false, label: 'keep alpha' }),
  },
  outputs: {
    image: { type: 'IMAGE' },
    mask: { type: 'MASK', description: '1 - alpha: transparent pixels are the area to inpaint (ComfyUI\'s convention); all 0 without alpha' },
  },
  files: (p, { inputs }) => [inputs.resolve(p.image)],
  // The size is the file's: known only when it is read (decodeImage refuses too large ones from the header).
  async execute(ctx, _inputs, p) {
    const file = ctx.inputs.resolve(p.image);
    try {
      return splitAlpha(await decodeImage(file, { keepAlpha: true, maxPixels: ctx.limits.maxImagePixels }), p.alpha);
    } catch (e) {
      if (e instanceof ImageTooLargeError) {
        const size = { width: e.width, height: e.height, batch: 1 };
        throw new NodeInputError('image_too_large', `"${p.image}" ${tooLargeMessage(size, e.maxPixels)}; use a smaller image`, 'image');
      }
      throw new NodeInputError('image_decode_failed', `cannot decode "${p.image}": ${(e as Error).message}`, 'image');
    }
  },
});

/** RGBA [1, 4, H, W] -> the IMAGE (alpha kept or dropped) and mask = 1 - alpha. */
function splitAlpha(rgba: Tensor, keepAlpha: boolean): { image: Tensor; mask: Tensor } {
  const [b, , h, w] = rgba.dims;
  const plane = h * w;
  const alpha = rgba.data.subarray(3 * plane, 4 * plane);
  const mask = new Float32Array(plane);
  for (let i = 0; i < plane; i++) mask[i] = 1 - alpha[i];
  const image = keepAlpha ? rgba : { data: rgba.data.slice(0, 3 * plane), dims: [b, 3, h, w] };
  return { image, mask: { data: mask, dims: [b, 1, h, w] } };
}
