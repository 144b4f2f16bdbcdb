// Load Image: a file from the input folder -> IMAGE (RGB, or RGBA when asked).
import { defineNode, param } from '../../define';
import { decodeImage, ImageTooLargeError } from '../../runtime/image';
import { NodeInputError } from '../../engine/errors';
import { tooLargeMessage } from '../../engine/image-size';

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
  outputs: { image: { type: 'IMAGE' } },
  files: (p, { inputs }) => [inputs.resolve(p.image)],
  // The size is the file's: known only when it is read (decodeImage refuses too large ones from the header).
  async execute(ctx, _inputs, p) {
    const file = ctx.inputs.resolve(p.image);
    try {
      return { image: await decodeImage(file, { keepAlpha: p.alpha, maxPixels: ctx.limits.maxImagePixels }) };
    } catch (e) {
      if (e instanceof ImageTooLargeError) {
        const size = { width: e.width, height: e.height, batch: 1 };
        throw new NodeInputError('image_too_large', `"${p.image}" ${tooLargeMessage(size, e.maxPixels)}; use a smaller image`, 'image');
      }
      throw new NodeInputError('image_decode_failed', `cannot decode "${p.image}": ${(e as Error).message}`, 'image');
    }
  },
});
