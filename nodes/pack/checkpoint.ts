// Writes the sprites checkpoint (diffusers ONNX folder under checkpoints/sprites/) and the loose
// sprites refiner (refiners/sprites-refiner.onnx + its sidecar JSON): the pack's two own parts.
import fs from 'node:fs';
import path from 'node:path';
import { SD15_SCHEDULER_CONFIG } from '../models/defaults';
import { writeJson, writePipelineIndex } from './diffusers-layout';
import { fileURLToPath } from 'node:url';
import { ClipTokenizer } from '../text';
import type { PackPart } from './part';
import { buildRefiner } from './refiner';
import { BACKGROUNDS, IMAGE_SIZE, SHAPE_COLORS, SHAPES } from './sprites';
import { buildTextEncoder } from './text-encoder';
import { buildUnet, type UnetOptions } from './unet';
import { LATENT_CHANNELS, LATENT_SIZE, buildVaeDecoder, buildVaeEncoder, latentRgbProjection } from './vae';

export const SPRITES_CHECKPOINT = 'checkpoints/sprites';
export const SPRITES_REFINER = 'refiners/sprites-refiner.onnx';

/** SD 1.5's scheduler_config.json: the sprites models are trained (built) on its schedule. */
/** The sprites model is trained on SD 1.5's schedule, so it ships SD 1.5's scheduler config. */
export const SPRITES_SCHEDULER_CONFIG = SD15_SCHEDULER_CONFIG;

const DESCRIPTION = `Built-in pixel-art sprites model: ${SHAPES.length} shapes (${SHAPES.join(', ')}) in ` +
  `${SHAPE_COLORS.length} colours (${SHAPE_COLORS.join(', ')}) on ${BACKGROUNDS.length} backgrounds ` +
  `(${BACKGROUNDS.join(', ')}), two sizes, ${IMAGE_SIZE}x${IMAGE_SIZE} (or whole multiples: 512x512 draws them twice as large). Prompt like "red circle on blue background".`;

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** Every file whose content shapes the sprites models' bytes. */
export const SPRITES_SOURCES = [
  here('./checkpoint.ts'), here('./diffusers-layout.ts'), here('../models/defaults.ts'), here('./dictionary.ts'), here('./denoiser-graph.ts'), here('./unet.ts'), here('./refiner.ts'),
  here('./text-encoder.ts'), here('./vae.ts'), here('./sprites.ts'), here('./sprites/palette.ts'), here('./sprites/shapes.ts'),
  here('./sprites/catalog.ts'), here('../onnx/builder.ts'), here('../onnx/proto.ts'), here('../runtime/float16.ts'),
  here('../text/bpe-files.ts'), here('../text/bpe-vocab.ts'), here('../text/clip-tokenizer.ts'), here('../text/data/bpe_simple_vocab_16e6.txt.gz'),
];

/** Relative '/'-separated paths of every file under `dir`, sorted. */
function listFiles(root: string, dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(root, path.join(dir, e.name)) : [path.relative(root, path.join(dir, e.name)).split(path.sep).join('/')]))
    .sort();
}

export async function writeSpritesCheckpoint(modelsDir: string): Promise<string[]> {
  return writeSpritesFolder(modelsDir, SPRITES_CHECKPOINT);
}

/** The sprites diffusers folder at `rel` (its U-Net with ControlNet residual inputs when `unet.controlResiduals`). */
export function writeSpritesFolder(modelsDir: string, rel: string, unet: UnetOptions = {}, description = DESCRIPTION): string[] {
  const dir = path.join(modelsDir, rel);
  fs.rmSync(dir, { recursive: true, force: true });
  const tok = ClipTokenizer.fromOpenAiGz();
  tok.writeHfFolder(path.join(dir, 'tokenizer'));
  writeJson(path.join(dir, 'tokenizer', 'tokenizer_config.json'), {
    tokenizer_class: 'CLIPTokenizer', model_max_length: 77, do_lower_case: true,
    bos_token: '<|startoftext|>', eos_token: '<|endoftext|>', pad_token: '<|endoftext|>', unk_token: '<|endoftext|>',
  });
  writePipelineIndex(dir);
  const vaeConfig = { scaling_factor: 1.0, latent_channels: LATENT_CHANNELS, sample_size: IMAGE_SIZE };
  writeJson(path.join(dir, 'vae_decoder', 'config.json'), vaeConfig);
  writeJson(path.join(dir, 'vae_encoder', 'config.json'), vaeConfig);
  writeJson(path.join(dir, 'stepflow.json'), { latent_rgb: latentRgbProjection(), resolution: [IMAGE_SIZE, IMAGE_SIZE], latent_multiple: LATENT_SIZE, description });
  buildTextEncoder(tok).save(path.join(dir, 'text_encoder', 'model.onnx'));
  buildVaeDecoder().save(path.join(dir, 'vae_decoder', 'model.onnx'));
  buildVaeEncoder().save(path.join(dir, 'vae_encoder', 'model.onnx'));
  buildUnet(unet).save(path.join(dir, 'unet', 'model.onnx'), { externalData: { location: 'weights.pb' } });
  return listFiles(modelsDir, dir);
}

export async function writeSpritesRefiner(modelsDir: string): Promise<string[]> {
  const file = path.join(modelsDir, SPRITES_REFINER);
  buildRefiner().save(file);
  const sidecar = file.replace(/\.onnx$/, '.json');
  writeJson(sidecar, {
    scheduler: SPRITES_SCHEDULER_CONFIG,
    latent_rgb: latentRgbProjection(),
    description: 'Attention refiner for the built-in sprites checkpoint: hand it the last ~30% of the steps.',
  });
  return [SPRITES_REFINER, SPRITES_REFINER.replace(/\.onnx$/, '.json')];
}

export const spritesCheckpointPart: PackPart = {
  name: 'sprites-checkpoint',
  sources: SPRITES_SOURCES,
  generate: writeSpritesCheckpoint,
};

export const spritesRefinerPart: PackPart = {
  name: 'sprites-refiner',
  sources: SPRITES_SOURCES,
  generate: writeSpritesRefiner,
};
