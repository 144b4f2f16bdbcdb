// Load Image: a file from the input folder -> IMAGE (RGB, or RGBA when asked).
import { defineNode, param } from '../../define';
import { decodeImage } from '../../runtime/image';
import { NodeInputError } from '../../engine/errors';

export const loadImage = defineNode({
  type: 'load_image',
  version: 1,
  title: 'Load Image',
  category: 'image',
  description: 'Reads a PNG, JPEG, WebP, GIF, TIFF or AVIF file from the input folder.',
  inputs: {},
  params: {
    image: param.inputImage({ default: 'example.png', label: 'image', description: 'an uploaded image or a file in the input folder' }),
    alpha: param.bool({ default: false, label: 'keep alpha' }),
  },
  outputs: { image: { type: 'IMAGE' } },
  files: (p, { inputs }) => [inputs.resolve(p.image)],
  async execute(ctx, _inputs, p) {
    const file = ctx.inputs.resolve(p.image);
    try {
      return { image: await decodeImage(file, { keepAlpha: p.alpha }) };
    } catch (e) {
      throw new NodeInputError('image_decode_failed', `cannot decode "${p.image}": ${(e as Error).message}`, 'image');
    }
  },
});
