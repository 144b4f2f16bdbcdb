// Pack part: models/checkpoints/tiny-flux/, a random-weight Flux-shaped model in the diffusers ONNX layout
// (FluxPipeline): a CLIP-L text encoder (pooler_output, the pooled vector Flux takes), the tiny Flux transformer
// (packed latents, img_ids/txt_ids, embedded guidance), a 16-channel VAE with FLUX.1's factors and FLUX.1-dev's
// dynamically shifted FlowMatchEuler config, and a tiny T5 (text_encoder_2/, tokenizer_2/tokenizer.json; its input_ids
// int32 and an attention_mask input, so the runner's dtype conversion and mask are exercised) giving the prompt states.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PackPart } from '../part';
import { buildTinyTextEncoder } from '../tiny-sd/text-encoder';
import { listFiles, writeFlowFolder } from '../tiny-sd3/folder';
import { tinyT5 } from '../tiny-sd3/t5';
import { buildTinyFluxTransformer } from './transformer';

export const TINY_FLUX_CHECKPOINT = 'checkpoints/tiny-flux';
/** Tiny stand-ins for CLIP-L (768 in FLUX.1) and T5-XXL (4096). */
export const TINY_FLUX_DIMS = { clipL: 16, t5: 32 } as const;

/** black-forest-labs/FLUX.1-dev: scheduler/scheduler_config.json and vae/config.json's factors. */
export const FLUX_SCHEDULER_CONFIG = {
  _class_name: 'FlowMatchEulerDiscreteScheduler', _diffusers_version: '0.30.0.dev0', num_train_timesteps: 1000, shift: 3.0,
  use_dynamic_shifting: true, base_shift: 0.5, max_shift: 1.15, base_image_seq_len: 256, max_image_seq_len: 4096,
};
export const FLUX_VAE = { scalingFactor: 0.3611, shiftFactor: 0.1159 };

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export async function writeTinyFlux(modelsDir: string): Promise<string[]> {
  const dir = path.join(modelsDir, TINY_FLUX_CHECKPOINT);
  const { clipL, t5 } = TINY_FLUX_DIMS;
  writeFlowFolder(dir, {
    pipeline: 'FluxPipeline',
    scheduler: FLUX_SCHEDULER_CONFIG,
    vae: { ...FLUX_VAE, seed: 0xf1a003 },
    encoders: [
      { folder: 'text_encoder', tokenizer: 'tokenizer', graph: buildTinyTextEncoder({ name: 'tiny_flux_clip_l', seed: 0xf1a010, dim: clipL, pooled: { output: 'pooler_output', dim: clipL } }).graph },
    ],
    t5: tinyT5('text_encoder_2', 'tokenizer_2', { name: 'tiny_flux_t5', seed: 0xf1a030, dim: t5, idsType: 'int32', attentionMask: true }),
    transformer: {
      graph: buildTinyFluxTransformer({ context: t5, pooled: clipL }),
      config: { _class_name: 'FluxTransformer2DModel', in_channels: 64, patch_size: 1, joint_attention_dim: t5, pooled_projection_dim: clipL, guidance_embeds: true, num_layers: 1 },
    },
    description: 'Tiny random-weight Flux-shaped model (tests): CLIP-L + T5, packed-latent transformer with embedded guidance, 16-channel VAE. Its pictures are noise patterns.',
  });
  return listFiles(modelsDir, dir);
}

export const part: PackPart = {
  name: 'tiny-flux',
  sources: [
    here('./part.ts'), here('./transformer.ts'), here('../tiny-sd3/folder.ts'), here('../tiny-sd3/mmdit.ts'), here('../tiny-sd3/t5.ts'), here('../tiny-sd3/transformer.ts'), here('../diffusers-layout.ts'),
    here('../tiny-sd/layers.ts'), here('../tiny-sd/text-encoder.ts'), here('../tiny-sd/vae.ts'), here('../tiny-sd/unet.ts'),
    here('../../onnx/builder.ts'), here('../../onnx/proto.ts'), here('../../runtime/float16.ts'),
    here('../../text/bpe-files.ts'), here('../../text/bpe-vocab.ts'), here('../../text/clip-tokenizer.ts'), here('../../text/data/bpe_simple_vocab_16e6.txt.gz'),
  ],
  generate: writeTinyFlux,
};
