// Writes the flow-matching sprites checkpoint (checkpoints/sprites-flow/): the SD3 layout Optimum exports
// (transformer/, text_encoder/, tokenizer/, vae_decoder/, vae_encoder/, FlowMatchEulerDiscreteScheduler with
// SD3's shift 3.0), with the sprites text encoder and VAE and the exact velocity transformer.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClipTokenizer } from '../text';
import { writeJson } from './diffusers-layout';
import { buildFlowTransformer } from './flow-transformer';
import type { PackPart } from './part';
import { BACKGROUNDS, IMAGE_SIZE, SHAPE_COLORS, SHAPES } from './sprites';
import { buildTextEncoder } from './text-encoder';
import { LATENT_CHANNELS, buildVaeDecoder, buildVaeEncoder, latentRgbProjection } from './vae';

export const SPRITES_FLOW_CHECKPOINT = 'checkpoints/sprites-flow';

/** stabilityai/stable-diffusion-3-medium-diffusers' scheduler_config.json. */
export const SPRITES_FLOW_SCHEDULER_CONFIG = {
  _class_name: 'FlowMatchEulerDiscreteScheduler',
  _diffusers_version: '0.29.0.dev0',
  num_train_timesteps: 1000,
  shift: 3.0,
};

const DESCRIPTION = `Built-in flow-matching (SD3-style) sprites model: ${SHAPES.length} shapes in ${SHAPE_COLORS.length} colours on ` +
  `${BACKGROUNDS.length} backgrounds, ${IMAGE_SIZE}x${IMAGE_SIZE}. Samplers: euler or heun (flow matching). Prompt like "red circle on blue background".`;

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const SOURCES = [
  here('./flow-checkpoint.ts'), here('./flow-transformer.ts'), here('./diffusers-layout.ts'), here('./dictionary.ts'), here('./denoiser-graph.ts'),
  here('./text-encoder.ts'), here('./vae.ts'), here('./sprites.ts'), here('./sprites/palette.ts'), here('./sprites/shapes.ts'),
  here('./sprites/catalog.ts'), here('../onnx/builder.ts'), here('../onnx/proto.ts'), here('../runtime/float16.ts'),
  here('../text/bpe-files.ts'), here('../text/bpe-vocab.ts'), here('../text/clip-tokenizer.ts'), here('../text/data/bpe_simple_vocab_16e6.txt.gz'),
];

export async function writeSpritesFlowCheckpoint(modelsDir: string): Promise<string[]> {
  const dir = path.join(modelsDir, SPRITES_FLOW_CHECKPOINT);
  fs.rmSync(dir, { recursive: true, force: true });
  const tok = ClipTokenizer.fromOpenAiGz();
  tok.writeHfFolder(path.join(dir, 'tokenizer'));
  const onnxModel = ['diffusers', 'OnnxRuntimeModel'];
  writeJson(path.join(dir, 'model_index.json'), {
    _class_name: 'ORTStableDiffusion3Pipeline',
    _diffusers_version: '0.29.0',
    scheduler: ['diffusers', SPRITES_FLOW_SCHEDULER_CONFIG._class_name],
    text_encoder: onnxModel,
    tokenizer: ['transformers', 'CLIPTokenizer'],
    transformer: onnxModel,
    vae_decoder: onnxModel,
    vae_encoder: onnxModel,
  });
  writeJson(path.join(dir, 'scheduler', 'scheduler_config.json'), SPRITES_FLOW_SCHEDULER_CONFIG);
  const vaeConfig = { scaling_factor: 1.0, shift_factor: 0.0, latent_channels: LATENT_CHANNELS, sample_size: IMAGE_SIZE };
  writeJson(path.join(dir, 'vae_decoder', 'config.json'), vaeConfig);
  writeJson(path.join(dir, 'vae_encoder', 'config.json'), vaeConfig);
  writeJson(path.join(dir, 'stepflow.json'), { latent_rgb: latentRgbProjection(), resolution: [IMAGE_SIZE, IMAGE_SIZE], description: DESCRIPTION });
  buildTextEncoder(tok).save(path.join(dir, 'text_encoder', 'model.onnx'));
  buildVaeDecoder().save(path.join(dir, 'vae_decoder', 'model.onnx'));
  buildVaeEncoder().save(path.join(dir, 'vae_encoder', 'model.onnx'));
  buildFlowTransformer().save(path.join(dir, 'transformer', 'model.onnx'), { externalData: { location: 'weights.pb' } });
  return listFiles(modelsDir, dir);
}

/** Relative '/'-separated paths of every file under `dir`, sorted. */
function listFiles(root: string, dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(root, path.join(dir, e.name)) : [path.relative(root, path.join(dir, e.name)).split(path.sep).join('/')]))
    .sort();
}

export const spritesFlowCheckpointPart: PackPart = {
  name: 'sprites-flow-checkpoint',
  sources: SOURCES,
  generate: writeSpritesFlowCheckpoint,
};
