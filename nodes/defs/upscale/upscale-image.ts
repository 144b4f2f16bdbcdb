// Upscale Image: super-resolution through an UPSCALE_MODEL (tiled), or a plain resize, plus an optional
// final rescale (a x4 model then 0.5 gives a sharper x2).
import { defineNode, param } from '../../define';
import { NodeInputError } from '../../engine/errors';
import { ensureImageSize, pixelsOf, scaled, tooLargeMessage } from '../../engine/image-size';
import { resizeImage, type ResizeKernel } from '../../runtime/image';
import { batchItem, concatBatch, type Tensor } from '../../runtime/tensor';

const MODES = ['model', 'resize'] as const;
const KERNELS = ['lanczos3', 'lanczos2', 'mitchell', 'cubic', 'linear', 'nearest'] as const;
/** Below this, tile borders lack the context a convolutional upscaler needs and seams appear. */
export const MIN_TILE = 48;

export const upscaleImage = defineNode({
  type: 'upscale_image',
  version: 1,
  title: 'Upscale Image',
  category: 'upscale',
  description: 'Enlarges the image with an upscale model (tiled, seams blended) or a resize kernel. In model mode, `scale` rescales the model output (1 keeps it).',
  aliases: ['Upscale (RealESRGAN)', 'ESRGAN'],
  inputs: {
    image: { type: 'IMAGE' },
    upscale_model: { type: 'UPSCALE_MODEL', optional: true, description: 'needed in model mode' },
  },
  params: {
    mode: param.choice(MODES, { default: 'model', description: 'model: super-resolution; resize: kernel only' }),
    scale: param.float({ default: 1, min: 0.05, max: 16, step: 0.05, description: 'resize: the factor; model: applied after the model' }),
    kernel: param.choice(KERNELS, { default: 'lanczos3', description: 'used by resize mode and the final rescale' }),
    tile: param.int({ default: 0, min: 0, max: 4096, step: 8, description: `tile side in pixels; 0 = automatic from the memory budget (else at least ${MIN_TILE})` }),
  },
  outputs: { image: { type: 'IMAGE' } },
  // In model mode the factor is the model file's (known once loaded): the run-time check covers it.
  outputSize: (p, { image }) => (p.mode === 'resize' && image ? scaled(image, p.scale, 'scale') : undefined),
  async execute(ctx, { image, upscale_model: model }, p) {
    const max = ctx.limits.maxImagePixels;
    const [batch, , h, w] = image.dims;
    let size = { width: w, height: h, batch };
    let out: Tensor = image;
    if (p.mode === 'model') {
      if (!model) {
        throw new NodeInputError('missing_upscale_model',
          'mode is "model" but no upscale model is connected: connect a Load Upscaler node to upscale_model, or set mode to "resize"', 'upscale_model');
      }
      if (p.tile > 0 && p.tile < MIN_TILE) {
        throw new NodeInputError('param_invalid', `tile ${p.tile} is too small: use 0 (automatic) or at least ${MIN_TILE}`, 'tile');
      }
      size = scaled(size, model.scale, 'upscale_model');
      if (pixelsOf(size) > max) {
        // The model's full-size output is allocated before any final rescale: the limit applies to it.
        throw new NodeInputError('image_too_large',
          `the x${model.scale} model ${tooLargeMessage({ ...size, param: undefined }, max)}; upscale a smaller image or use a model with a smaller factor`,
          'upscale_model');
      }
      out = await model.upscale(image, { tile: p.tile || undefined, signal: ctx.signal, onProgress: (done, total) => ctx.progress(done, total) });
    }
    if (p.scale !== 1) {
      ensureImageSize(scaled(size, p.scale, 'scale'), max);
      out = await rescale(out, p.scale, p.kernel as ResizeKernel);
    }
    return { image: out };
  },
});

async function rescale(image: Tensor, scale: number, kernel: ResizeKernel): Promise<Tensor> {
  const [batch, , h, w] = image.dims;
  const width = Math.max(1, Math.round(w * scale)), height = Math.max(1, Math.round(h * scale));
  const items: Tensor[] = [];
  for (let b = 0; b < batch; b++) items.push(await resizeImage(batchItem(image, b), width, height, kernel));
  return batch === 1 ? items[0] : concatBatch(items);
}
