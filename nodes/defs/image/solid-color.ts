// Solid Colour: an image of one colour, the simplest source for model-free graphs.
import { defineNode, param } from '../../define';
import { NodeInputError } from '../../engine/errors';
import { ensureImageSize, type ImageSize } from '../../engine/image-size';
import { parseColor } from '../../runtime/color';

export const solidColor = defineNode({
  type: 'solid_color',
  version: 1,
  title: 'Solid Colour',
  category: 'image',
  description: 'An image filled with one colour (#rgb, #rrggbb or #rrggbbaa).',
  aliases: ['EmptyImage', 'Blank Image', 'Solid Color'],
  inputs: {},
  params: {
    width: param.int({ default: 512, min: 1, max: 8192, step: 8 }),
    height: param.int({ default: 512, min: 1, max: 8192, step: 8 }),
    color: param.text({ default: '#808080', maxLength: 16 }),
  },
  outputs: { image: { type: 'IMAGE' } },
  outputSize: (p) => fillSize(p),
  async execute(ctx, _inputs, p) {
    ensureImageSize(fillSize(p), ctx.limits.maxImagePixels);
    const rgba = parseColor(p.color);
    if (!rgba) throw new NodeInputError('param_invalid', `color "${p.color}" is not #rgb, #rrggbb or #rrggbbaa`, 'color');
    const channels = rgba[3] < 1 ? 4 : 3;
    const plane = p.width * p.height;
    const data = new Float32Array(channels * plane);
    for (let c = 0; c < channels; c++) data.fill(rgba[c], c * plane, (c + 1) * plane);
    return { image: { data, dims: [1, channels, p.height, p.width] } };
  },
});

function fillSize(p: { width: number; height: number }): ImageSize {
  return { width: p.width, height: p.height, batch: 1, param: p.width >= p.height ? 'width' : 'height' };
}
