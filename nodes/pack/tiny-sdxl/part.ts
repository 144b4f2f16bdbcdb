// Pack part: models/checkpoints/tiny-sdxl (base) and tiny-sdxl-refiner, random-weight SDXL-shaped models in the
// diffusers/Optimum ONNX layout (two text encoders, a U-Net with text_embeds + time_ids), built from tiny-sd's
// layers, and the kohya LoRA models/loras/tiny-sdxl-kohya.safetensors (lora_unet_, lora_te1_, lora_te2_).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClipTokenizer } from '../../text';
import { writeSafetensors } from '../../runtime/safetensors';
import { writeJson } from '../diffusers-layout';
import type { PackPart } from '../part';
import type { LoraModuleSpec } from '../tiny-sd/layers';
import { kohyaLoraTensors, TINY_LORA_ALPHA, TINY_LORA_RANK } from '../tiny-sd/lora';
import { buildTinyTextEncoder } from '../tiny-sd/text-encoder';
import { buildTinyUnet } from '../tiny-sd/unet';
import { buildTinyVaeDecoder, buildTinyVaeEncoder } from '../tiny-sd/vae';
import { SDXL_SCHEDULER_CONFIG, SDXL_VAE_SCALING_FACTOR } from '../../models/sdxl-defaults';

export const TINY_SDXL_CHECKPOINT = 'checkpoints/tiny-sdxl';
export const TINY_SDXL_REFINER = 'checkpoints/tiny-sdxl-refiner';
export const TINY_SDXL_LORA = 'loras/tiny-sdxl-kohya.safetensors';
/** text_encoder (CLIP-L's place) and text_encoder_2 (OpenCLIP-G's) widths: unequal, so a swap cannot go unnoticed; small, as their 49408-row token tables are most of the pack's 60 MB budget. */
export const TINY_SDXL_DIM_1 = 16;
export const TINY_SDXL_DIM_2 = 24;

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const onnxModel = ['diffusers', 'OnnxRuntimeModel'];

function writeCommon(dir: string, pipeline: string, withEncoder1: boolean): void {
  fs.rmSync(dir, { recursive: true, force: true });
  writeJson(path.join(dir, 'model_index.json'), {
    _class_name: pipeline,
    _diffusers_version: '0.19.0',
    ...(withEncoder1 ? { text_encoder: onnxModel, tokenizer: ['transformers', 'CLIPTokenizer'] } : { text_encoder: [null, null], tokenizer: [null, null] }),
    text_encoder_2: onnxModel,
    tokenizer_2: ['transformers', 'CLIPTokenizer'],
    scheduler: ['diffusers', SDXL_SCHEDULER_CONFIG._class_name],
    unet: onnxModel,
    vae_decoder: onnxModel,
    vae_encoder: onnxModel,
    ...(withEncoder1 ? {} : { requires_aesthetics_score: true }),
  });
  writeJson(path.join(dir, 'scheduler', 'scheduler_config.json'), SDXL_SCHEDULER_CONFIG);
  const tokenizer = ClipTokenizer.fromOpenAiGz();
  if (withEncoder1) tokenizer.writeHfFolder(path.join(dir, 'tokenizer'));
  tokenizer.writeHfFolder(path.join(dir, 'tokenizer_2'));
  for (const part of ['vae_decoder', 'vae_encoder']) {
    writeJson(path.join(dir, part, 'config.json'), { _class_name: 'AutoencoderKL', latent_channels: 4, scaling_factor: SDXL_VAE_SCALING_FACTOR });
  }
  buildTinyVaeDecoder().save(path.join(dir, 'vae_decoder', 'model.onnx'));
  buildTinyVaeEncoder().save(path.join(dir, 'vae_encoder', 'model.onnx'));
}

/** The base: both encoders, context 32 + 48, time_ids of 6 (original size, crop, target size). */
function writeBase(dir: string): Record<'unet' | 'te1' | 'te2', LoraModuleSpec[]> {
  writeCommon(dir, 'StableDiffusionXLPipeline', true);
  const te1 = buildTinyTextEncoder({ name: 'tiny_sdxl_text_encoder', seed: 0x5d1101, dim: TINY_SDXL_DIM_1, pooled: { output: 'pooler_output', dim: TINY_SDXL_DIM_1 } });
  te1.graph.save(path.join(dir, 'text_encoder', 'model.onnx'));
  const te2 = buildTinyTextEncoder({ name: 'tiny_sdxl_text_encoder_2', seed: 0x5d1102, dim: TINY_SDXL_DIM_2, pooled: { output: 'text_embeds', dim: TINY_SDXL_DIM_2 } });
  te2.graph.save(path.join(dir, 'text_encoder_2', 'model.onnx'));
  const unet = buildTinyUnet({ name: 'tiny_sdxl_unet', seed: 0x5d1113, contextDim: TINY_SDXL_DIM_1 + TINY_SDXL_DIM_2, added: { pooledDim: TINY_SDXL_DIM_2, timeIds: 6 } });
  unet.graph.save(path.join(dir, 'unet', 'model.onnx'), { externalData: { location: 'weights.pb' }, docString: 'StepFlow tiny SDXL-shaped U-Net (random weights)' });
  return { unet: unet.modules, te1: te1.modules, te2: te2.modules };
}

/** The refiner: text_encoder_2 only, context 48, time_ids of 5 (original size, crop, aesthetic score). */
function writeRefiner(dir: string): void {
  writeCommon(dir, 'StableDiffusionXLImg2ImgPipeline', false);
  buildTinyTextEncoder({ name: 'tiny_sdxl_text_encoder_2', seed: 0x5d1102, dim: TINY_SDXL_DIM_2, pooled: { output: 'text_embeds', dim: TINY_SDXL_DIM_2 } })
    .graph.save(path.join(dir, 'text_encoder_2', 'model.onnx'));
  buildTinyUnet({ name: 'tiny_sdxl_refiner_unet', seed: 0x5d1114, contextDim: TINY_SDXL_DIM_2, added: { pooledDim: TINY_SDXL_DIM_2, timeIds: 5 } })
    .graph.save(path.join(dir, 'unet', 'model.onnx'), { externalData: { location: 'weights.pb' }, docString: 'StepFlow tiny SDXL-refiner-shaped U-Net (random weights)' });
}

export async function writeTinySdxl(modelsDir: string): Promise<string[]> {
  const modules = writeBase(path.join(modelsDir, TINY_SDXL_CHECKPOINT));
  writeRefiner(path.join(modelsDir, TINY_SDXL_REFINER));
  const lora = path.join(modelsDir, TINY_SDXL_LORA);
  fs.mkdirSync(path.dirname(lora), { recursive: true });
  const prefixed = (component: string, list: LoraModuleSpec[]) => list.map((m) => ({ prefix: `lora_${component}_${m.path.replace(/\./g, '_')}`, module: m }));
  writeSafetensors(lora, kohyaLoraTensors([...prefixed('unet', modules.unet), ...prefixed('te1', modules.te1), ...prefixed('te2', modules.te2)]), {
    ss_network_module: 'networks.lora',
    ss_network_dim: String(TINY_LORA_RANK),
    ss_network_alpha: String(TINY_LORA_ALPHA),
    ss_base_model_version: 'sdxl_base_v1-0',
    stepflow_description: 'Random LoRA covering every linear and conv layer of checkpoints/tiny-sdxl: U-Net and both text encoders (tests).',
  });
  const files = (sub: string): string[] => fs.readdirSync(path.join(modelsDir, sub), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(`${sub}/${e.name}`) : [`${sub}/${e.name}`]));
  return [...files(TINY_SDXL_CHECKPOINT), ...files(TINY_SDXL_REFINER), TINY_SDXL_LORA].sort();
}

export const part: PackPart = {
  name: 'tiny-sdxl',
  sources: [
    here('./part.ts'), here('../diffusers-layout.ts'), here('../../models/sdxl-defaults.ts'),
    here('../tiny-sd/layers.ts'), here('../tiny-sd/unet.ts'), here('../tiny-sd/text-encoder.ts'), here('../tiny-sd/vae.ts'), here('../tiny-sd/lora.ts'),
    here('../../onnx/builder.ts'), here('../../onnx/proto.ts'), here('../../runtime/float16.ts'), here('../../runtime/safetensors.ts'),
    here('../../text/bpe-files.ts'), here('../../text/bpe-vocab.ts'), here('../../text/clip-tokenizer.ts'), here('../../text/data/bpe_simple_vocab_16e6.txt.gz'),
  ],
  generate: writeTinySdxl,
};
