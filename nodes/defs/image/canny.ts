// Canny: an edge map (white edges on black) of each image, the control image of canny ControlNets.
import { defineNode, param } from '../../define';
import { NodeInputError } from '../../engine/errors';
import { cannyEdges, grayscale } from '../../preprocess/canny';

export const canny = defineNode({
  type: 'canny',
  version: 1,
  title: 'Canny Edges',
  category: 'image',
  description:
    'Edges of the image (Gaussian blur, Sobel, non-maximum suppression, hysteresis) as white lines on black. Thresholds ' +
    "are on the gradient magnitude of the [0,1] image, the scale of ComfyUI's Canny node.",
  aliases: ['Canny', 'Edge Detection', 'Canny Preprocessor'],
  inputs: { image: { type: 'IMAGE' } },
  params: {
    low_threshold: param.float({ default: 0.4, min: 0.01, max: 0.99, step: 0.01, description: 'Weaker edges are kept only when they touch a strong one' }),
    high_threshold: param.float({ default: 0.8, min: 0.01, max: 0.99, step: 0.01, description: 'Edges at least this strong are always kept' }),
  },
  outputs: { image: { type: 'IMAGE' } },
  outputSize: (_p, { image }) => image,
  async execute(ctx, { image }, p) {
    if (p.low_threshold > p.high_threshold) {
      throw new NodeInputError('param_invalid', `low_threshold ${p.low_threshold} is above high_threshold ${p.high_threshold}; lower it`, 'low_threshold');
    }
    const [b, c, h, w] = image.dims;
    const plane = h * w;
    const data = new Float32Array(b * 3 * plane);
    for (let i = 0; i < b; i++) {
      const edges = cannyEdges(grayscale(image.data, c, plane, i * c * plane), w, h, { low: p.low_threshold, high: p.high_threshold });
      for (let ch = 0; ch < 3; ch++) {
        const base = (i * 3 + ch) * plane;
        for (let j = 0; j < plane; j++) data[base + j] = edges[j];
      }
      ctx.progress(i + 1, b);
    }
    return { image: { data, dims: [b, 3, h, w] } };
  },
});
