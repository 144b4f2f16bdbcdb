// Upscaler Loader: a super-resolution .onnx from models/upscalers -> UPSCALE_MODEL (runtime: nodes/upscale).
import { defineNode, param } from '../../define';
import { loadUpscaler } from '../../upscale/upscaler';

export const upscalerLoader = defineNode({
  type: 'upscaler_loader',
  version: 1,
  title: 'Upscaler Loader',
  category: 'loaders',
  description: 'Loads an image super-resolution model (e.g. the built-in ESRGAN x2/x4) from models/upscalers.',
  inputs: {},
  params: {
    model_name: param.model('upscalers', { default: 'esrgan-slim-x4.onnx', label: 'upscaler' }),
  },
  outputs: { upscale_model: { type: 'UPSCALE_MODEL' } },
  files: (p, { models }) => [models.resolve('upscalers', p.model_name)],
  async execute(ctx, _inputs, p) {
    const file = ctx.models.resolve('upscalers', p.model_name);
    return { upscale_model: await loadUpscaler(ctx.runtime, file, { name: p.model_name }) };
  },
});
