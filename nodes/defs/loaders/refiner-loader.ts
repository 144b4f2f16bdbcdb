// Refiner Loader: an attention refiner .onnx (U-Net interface) from models/refiners -> REFINER.
import fs from 'node:fs';
import { defineNode, param } from '../../define';
import { loadRefiner } from '../../models/refiner';
import { sidecarPath } from '../../models/sidecar';

export const refinerLoader = defineNode({
  type: 'refiner_loader',
  version: 1,
  title: 'Refiner Loader',
  category: 'loaders',
  description: 'Loads a refiner .onnx from models/refiners: a denoiser with the U-Net interface that finishes the last steps.',
  inputs: {},
  params: {
    refiner_name: param.model('refiners', { default: 'sprites-refiner.onnx', label: 'refiner' }),
  },
  outputs: { refiner: { type: 'REFINER' } },
  files: (p, { models }) => {
    const file = models.resolve('refiners', p.refiner_name);
    return fs.existsSync(sidecarPath(file)) ? [file, sidecarPath(file)] : [file];
  },
  async execute(ctx, _inputs, p) {
    const file = ctx.models.resolve('refiners', p.refiner_name);
    return { refiner: await loadRefiner(ctx.runtime, p.refiner_name, file) };
  },
});
