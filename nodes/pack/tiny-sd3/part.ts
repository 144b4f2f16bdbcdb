// Pack part: models/checkpoints/tiny-sd3/, a random-weight SD3-shaped model in the diffusers/Optimum ONNX layout
// (StableDiffusion3Pipeline): CLIP-L and CLIP-G text encoders with text_embeds, the tiny MMDiT, a 16-channel VAE
// with SD3's scaling/shift factors and SD3's FlowMatchEuler scheduler config, and a tiny T5 (text_encoder_3/,
// tokenizer_3/tokenizer.json; input_ids int64 as Optimum exports it) whose states follow the CLIP tokens.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PackPart } from '../part';
import { buildTinyTextEncoder } from '../tiny-sd/text-encoder';
import { listFiles, writeFlowFolder } from './folder';
import { tinyT5 } from './t5';
import { buildTinySd3Transformer } from './transformer';

export const TINY_SD3_CHECKPOINT = 'checkpoints/tiny-sd3';
/**
 * Tiny stand-ins for CLIP-L (768 in SD3), CLIP-G (1280) and T5-XXL (4096) widths: narrow, since each encoder's
 * float16 token table (49408 rows) dominates the pack's size. CLIP-G shares tokenizer/ (the loader falls back to
 * it without a tokenizer_2/), which saves another copy of the vocabulary.
 */
export const TINY_SD3_DIMS = { clipL: 16, clipG: 24, t5: 48 } as const;

/** stabilityai/stable-diffusion-3-medium-diffusers: scheduler_config.json and the VAE config's factors. */
export const SD3_SCHEDULER_CONFIG = { _class_name: 'FlowMatchEulerDiscreteScheduler', _diffusers_version: '0.29.0.dev0', num_train_timesteps: 1000, shift: 3.0 };
export const SD3_VAE = { scalingFactor: 1.5305, shiftFactor: 0.0609 };

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export async function writeTinySd3(modelsDir: string): Promise<string[]> {
  const dir = path.join(modelsDir, TINY_SD3_CHECKPOINT);
  const { clipL, clipG, t5 } = TINY_SD3_DIMS;
  writeFlowFolder(dir, {
    pipeline: 'StableDiffusion3Pipeline',
    scheduler: SD3_SCHEDULER_CONFIG,
    vae: { ...SD3_VAE, seed: 0x5d3003 },
    encoders: [
      { folder: 'text_encoder', tokenizer: 'tokenizer', graph: buildTinyTextEncoder({ name: 'tiny_sd3_clip_l', seed: 0x5d3010, dim: clipL, pooled: { output: 'text_embeds', dim: clipL } }).graph },
      { folder: 'text_encoder_2', tokenizer: 'tokenizer', graph: buildTinyTextEncoder({ name: 'tiny_sd3_clip_g', seed: 0x5d3020, dim: clipG, pooled: { output: 'text_embeds', dim: clipG } }).graph },
    ],
    t5: tinyT5('text_encoder_3', 'tokenizer_3', { name: 'tiny_sd3_t5', seed: 0x5d3030, dim: t5, idsType: 'int64' }),
    transformer: {
      graph: buildTinySd3Transformer({ context: t5, pooled: clipL + clipG }),
      config: { _class_name: 'SD3Transformer2DModel', in_channels: 16, out_channels: 16, patch_size: 2, joint_attention_dim: t5, pooled_projection_dim: clipL + clipG, num_layers: 1 },
    },
    description: 'Tiny random-weight SD3-shaped model (tests): CLIP-L + CLIP-G + T5, MMDiT, 16-channel VAE. Its pictures are noise patterns.',
  });
  return listFiles(modelsDir, dir);
}

export const part: PackPart = {
  name: 'tiny-sd3',
  sources: [
    here('./part.ts'), here('./folder.ts'), here('./transformer.ts'), here('./mmdit.ts'), here('./t5.ts'), here('../diffusers-layout.ts'),
    here('../tiny-sd/layers.ts'), here('../tiny-sd/text-encoder.ts'), here('../tiny-sd/vae.ts'), here('../tiny-sd/unet.ts'),
    here('../../onnx/builder.ts'), here('../../onnx/proto.ts'), here('../../runtime/float16.ts'),
    here('../../text/bpe-files.ts'), here('../../text/bpe-vocab.ts'), here('../../text/clip-tokenizer.ts'), here('../../text/data/bpe_simple_vocab_16e6.txt.gz'),
  ],
  generate: writeTinySd3,
};
