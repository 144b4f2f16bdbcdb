// Checkpoint Loader: a diffusers ONNX folder in models/checkpoints -> MODEL, CLIP and VAE.
import { defineNode, param } from '../../define';
import { loadCheckpoint } from '../../models/checkpoint';
import { isSdxlFolder, loadSdxlCheckpoint } from '../../models/sdxl-checkpoint';

export const checkpointLoader = defineNode({
  type: 'checkpoint_loader',
  version: 1,
  title: 'Checkpoint Loader',
  category: 'loaders',
  description: 'Loads a diffusers ONNX checkpoint folder (unet/, text_encoder/, vae_decoder/, tokenizer/, scheduler/) from models/checkpoints.',
  aliases: ['Main Model', 'Main Model Loader'],
  inputs: {},
  params: {
    ckpt_name: param.model('checkpoints', { default: 'sprites', label: 'checkpoint' }),
  },
  outputs: {
    model: { type: 'MODEL', description: 'the U-Net with its scheduler config' },
    clip: { type: 'CLIP', description: 'tokenizer + text encoder' },
    vae: { type: 'VAE', description: 'decoder, and encoder when the folder has one' },
  },
  files: (p, { models }) => [models.resolve('checkpoints', p.ckpt_name)],
  async execute(ctx, _inputs, p) {
    const dir = ctx.models.resolve('checkpoints', p.ckpt_name);
    // SDXL (two encoders, or the refiner's encoder 2 alone) gives a CLIP that encodes with both.
    const loaded = isSdxlFolder(dir) ? await loadSdxlCheckpoint(ctx.runtime, dir, p.ckpt_name) : await loadCheckpoint(ctx.runtime, dir, p.ckpt_name);
    for (const note of loaded.notes) ctx.warn(note);
    // SD3/Flux folders encode prompts with their own set of encoders (flow-prompt.ts).
    const clip = 'flowPrompt' in loaded && loaded.flowPrompt ? loaded.flowPrompt : loaded.clip;
    return { model: loaded.unet, clip, vae: loaded.vae };
  },
});
