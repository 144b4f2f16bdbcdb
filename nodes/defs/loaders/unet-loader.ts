// U-Net Loader: a lone U-Net .onnx from models/unet, assumed SD1.5 unless <name>.json says otherwise.
import fs from 'node:fs';
import { defineNode, param } from '../../define';
import { SD15_SCHEDULER_CONFIG, SD_LATENT_CHANNELS } from '../../models/defaults';
import { parseLatentRgb, SD15_LATENT_RGB } from '../../models/latent-rgb';
import { readSidecar, sidecarPath } from '../../models/sidecar';
import { loadUNet } from '../../models/unet';

export const unetLoader = defineNode({
  type: 'unet_loader',
  version: 1,
  title: 'U-Net Loader',
  category: 'loaders',
  description: 'Loads a U-Net .onnx from models/unet with SD1.5 scheduler defaults; a <name>.json beside it may set "scheduler" and "latent_rgb".',
  aliases: ['UNETLoader', 'Load Diffusion Model'],
  inputs: {},
  params: {
    unet_name: param.model('unet', { default: '', label: 'U-Net' }),
  },
  outputs: { model: { type: 'MODEL' } },
  files: (p, { models }) => {
    const file = models.resolve('unet', p.unet_name);
    return fs.existsSync(sidecarPath(file)) ? [file, sidecarPath(file)] : [file];
  },
  async execute(ctx, _inputs, p) {
    const file = ctx.models.resolve('unet', p.unet_name);
    const extras = readSidecar(file);
    const model = await loadUNet(ctx.runtime, {
      name: p.unet_name,
      file,
      schedulerConfig: (extras.scheduler as Record<string, unknown>) ?? { ...SD15_SCHEDULER_CONFIG },
      latentRgb: extras.latent_rgb ? parseLatentRgb(extras.latent_rgb, SD_LATENT_CHANNELS, sidecarPath(file)) : SD15_LATENT_RGB,
    });
    return { model };
  },
});
