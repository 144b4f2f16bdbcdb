// Flip / Rotate: mirror the image or turn it by quarter turns (clockwise), exact pixels.
import { defineNode, param } from '../../define';
import { transformTensor, type Transform } from '../../runtime/tensor-geometry';

const OPS = ['flip_horizontal', 'flip_vertical', 'rotate_90', 'rotate_180', 'rotate_270'] as const;

export const transform = defineNode({
  type: 'transform',
  version: 1,
  title: 'Flip / Rotate',
  category: 'image',
  description: 'Mirrors the image left-right or top-bottom, or turns it 90, 180 or 270 degrees clockwise.',
  aliases: ['ImageFlip', 'ImageRotate', 'Flip Image', 'Rotate Image', 'Mirror'],
  inputs: { image: { type: 'IMAGE' } },
  params: {
    operation: param.choice(OPS, { default: 'flip_horizontal' }),
  },
  outputs: { image: { type: 'IMAGE' } },
  // The same pixels, sides swapped by quarter turns.
  outputSize: (p, { image }) => image && (p.operation === 'rotate_90' || p.operation === 'rotate_270'
    ? { width: image.height, height: image.width, batch: image.batch }
    : image),
  async execute(_ctx, { image }, p) {
    return { image: transformTensor(image, p.operation as Transform) };
  },
});
