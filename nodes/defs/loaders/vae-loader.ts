// VAE Loader: a VAE decoder .onnx from models/vae; <name>.json may add "scaling_factor" and an "encoder" file.
import fs from 'node:fs';
import { defineNode, param } from '../../define';
import { NodeInputError } from '../../engine/errors';
import { SD_VAE_SCALING_FACTOR } from '../../models/defaults';
import { readSidecar, sidecarPath } from '../../models/sidecar';
import { loadVae } from '../../models/vae';

export const vaeLoader = defineNode({
  type: 'vae_loader',
  version: 1,
  title: 'VAE Loader',
  category: 'loaders',
  description: 'Loads a VAE decoder .onnx (latent_sample -> sample) from models/vae. SD scaling 0.18215 unless <name>.json sets "scaling_factor"; "encoder": "<file>.onnx" adds img2img encoding.',
  aliases: ['VAELoader', 'Load VAE', 'VAE Model'],
  inputs: {},
  params: {
    vae_name: param.model('vae', { default: '', label: 'VAE decoder' }),
  },
  outputs: { vae: { type: 'VAE' } },
  files: (p, { models }) => {
    const file = models.resolve('vae', p.vae_name);
    return fs.existsSync(sidecarPath(file)) ? [file, sidecarPath(file)] : [file];
  },
  async execute(ctx, _inputs, p) {
    const file = ctx.models.resolve('vae', p.vae_name);
    const extras = readSidecar(file);
    const scaling = extras.scaling_factor ?? SD_VAE_SCALING_FACTOR;
    if (typeof scaling !== 'number' || !(scaling > 0)) {
      throw new NodeInputError('model_format', `${sidecarPath(file)}: "scaling_factor" must be a positive number`, 'vae_name');
    }
    const encoderFile = typeof extras.encoder === 'string' ? ctx.models.resolve('vae', extras.encoder) : undefined;
    return { vae: await loadVae(ctx.runtime, { name: p.vae_name, file, encoderFile, scalingFactor: scaling }) };
  },
});
