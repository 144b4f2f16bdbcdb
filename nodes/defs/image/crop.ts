// Crop Image: a rectangle of the image, exact pixels; a rectangle reaching past the edge is an error naming
// the image size, never a silent clamp.
import { defineNode, param } from '../../define';
import { NodeInputError } from '../../engine/errors';
import { cropTensor } from '../../runtime/tensor-geometry';

export const crop = defineNode({
  type: 'crop',
  version: 1,
  title: 'Crop Image',
  category: 'image',
  description: 'Keeps the rectangle at x, y of the given width and height (pixels, from the top left).',
  inputs: { image: { type: 'IMAGE' } },
  params: {
    x: param.int({ default: 0, min: 0, max: 16384 }),
    y: param.int({ default: 0, min: 0, max: 16384 }),
    width: param.int({ default: 256, min: 1, max: 16384, step: 8 }),
    height: param.int({ default: 256, min: 1, max: 16384, step: 8 }),
  },
  outputs: { image: { type: 'IMAGE' } },
  // Never larger than its input (a rectangle past the edge is refused).
  outputSize: (p, { image }) => image && { width: p.width, height: p.height, batch: image.batch, param: 'width' },
  async execute(_ctx, { image }, p) {
    const [, , h, w] = image.dims;
    if (p.x + p.width > w || p.y + p.height > h) {
      const param = p.x + p.width > w ? (p.x >= w ? 'x' : 'width') : (p.y >= h ? 'y' : 'height');
      throw new NodeInputError(
        'crop_outside_image',
        `the rectangle ${p.width}x${p.height} at (${p.x}, ${p.y}) reaches past the ${w}x${h} image; make it fit`,
        param,
      );
    }
    return { image: cropTensor(image, p.x, p.y, p.width, p.height) };
  },
});
