// Resize: scale an image with sharp's kernels (lanczos for photos, nearest for pixel art).
import { defineNode, param } from '../../define';
import { resizeImage, type ResizeKernel } from '../../runtime/image';
import { batchItem, concatBatch } from '../../runtime/tensor';
import { ensureImageSize, resizedSize } from '../../engine/image-size';

const KERNELS = ['lanczos3', 'lanczos2', 'mitchell', 'cubic', 'linear', 'nearest'] as const;

export const resize = defineNode({
  type: 'resize',
  version: 1,
  title: 'Resize Image',
  category: 'image',
  description: 'Resize to a width and height, or by a scale factor when width and height are 0.',
  inputs: { image: { type: 'IMAGE' } },
  params: {
    width: param.int({ default: 0, min: 0, max: 16384, step: 8, description: '0 = from scale' }),
    height: param.int({ default: 0, min: 0, max: 16384, step: 8, description: '0 = keep aspect ratio' }),
    scale: param.float({ default: 2, min: 0.01, max: 16, step: 0.25 }),
    kernel: param.choice(KERNELS, { default: 'lanczos3' }),
  },
  outputs: { image: { type: 'IMAGE' } },
  outputSize: (p, { image }) => image && resizedSize(image, p),
  async execute(ctx, { image }, p) {
    const [b, , h, w] = image.dims;
    const target = resizedSize({ width: w, height: h, batch: b }, p);
    ensureImageSize(target, ctx.limits.maxImagePixels);
    const { width, height } = target;
    const out = [];
    for (let i = 0; i < b; i++) {
      out.push(await resizeImage(batchItem(image, i), width, height, p.kernel as ResizeKernel));
      ctx.progress(i + 1, b);
    }
    return { image: concatBatch(out) };
  },
});
