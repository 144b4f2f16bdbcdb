// Loads an SDXL diffusers ONNX folder (base: text_encoder + text_encoder_2; refiner: text_encoder_2 only) into the
// MODEL, CLIP and VAE socket values, checking that the U-Net and the encoders belong to the same family.
import fs from 'node:fs';
import path from 'node:path';
import { bundledTokenizer, tokenizerForFolder, type ClipTokenizer } from '../text';
import type { OnnxRuntime } from '../runtime/onnx';
import { loadClip, type OnnxClip } from './clip';
import { readCheckpointFolder, type CheckpointFolder } from './diffusers-folder';
import { ModelFormatError } from './errors';
import { SDXL_CLIP_LAYER, SdxlClip } from './sdxl-clip';
import { loadUNet, type OnnxUNet } from './unet';
import { loadVae, type OnnxVae } from './vae';

export interface LoadedSdxlCheckpoint {
  folder: CheckpointFolder;
  unet: OnnxUNet;
  clip: SdxlClip;
  vae: OnnxVae;
  /** The U-Net takes aesthetic-score time ids (5) and encoder 2 only. */
  refiner: boolean;
  notes: string[];
}

/**
 * An SDXL folder: its model_index.json names an SDXL pipeline or, without a pipeline class, it has text_encoder_2/
 * beside a unet/ (SD3 and Flux folders have text_encoder_2/ too, with a transformer/).
 */
export function isSdxlFolder(dir: string): boolean {
  try {
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'model_index.json'), 'utf8')) as { _class_name?: unknown };
    if (typeof index._class_name === 'string') return /StableDiffusionXL/.test(index._class_name);
  } catch {
    // readCheckpointFolder reports a missing or broken model_index.json; the folders decide below
  }
  return fs.existsSync(path.join(dir, 'text_encoder_2')) && !fs.existsSync(path.join(dir, 'transformer'));
}

function tokenizerAt(dir: string, sub: string, name: string, notes: string[]): ClipTokenizer {
  if (fs.existsSync(path.join(dir, sub, 'vocab.json'))) return tokenizerForFolder(path.join(dir, sub));
  notes.push(`checkpoint "${name}" has no ${sub}/ folder; using the bundled CLIP vocabulary`);
  return bundledTokenizer();
}

export async function loadSdxlCheckpoint(runtime: OnnxRuntime, dir: string, name?: string): Promise<LoadedSdxlCheckpoint> {
  const folder = readCheckpointFolder(dir, name);
  const at = (rel: string) => path.join(dir, rel);
  if (!fs.existsSync(at('text_encoder_2/model.onnx'))) {
    throw new ModelFormatError(dir, 'is an SDXL checkpoint (model_index.json) but lacks text_encoder_2/model.onnx, the OpenCLIP-G encoder every SDXL U-Net needs');
  }
  const unet = await loadUNet(runtime, {
    name: folder.name, file: folder.files.denoiser, schedulerConfig: folder.schedulerConfig,
    latentRgb: folder.latentRgb, latentChannels: folder.latentChannels, latentMultiple: folder.latentMultiple,
  });
  if (!unet.addedTimeIds) {
    throw new ModelFormatError(folder.files.denoiser, 'has no text_embeds and time_ids inputs, but the folder has text_encoder_2 (SDXL layout); an SD 1.x/2.x U-Net cannot use SDXL conditioning');
  }
  const refiner = unet.addedTimeIds === 5;
  if (!refiner && !fs.existsSync(at('text_encoder/model.onnx'))) {
    throw new ModelFormatError(dir, `lacks text_encoder/model.onnx: ${folder.files.denoiser} is an SDXL base U-Net (time_ids of 6), which needs both text encoders; only the refiner (time_ids of 5) runs on text_encoder_2 alone`);
  }
  const notes: string[] = [];
  const encoder = async (sub: string, tokenizer: string): Promise<OnnxClip> =>
    loadClip(runtime, tokenizerAt(dir, tokenizer, folder.name, notes), { name: folder.name, file: at(`${sub}/model.onnx`), lastLayer: SDXL_CLIP_LAYER, rawHidden: true });
  const second = await encoder('text_encoder_2', 'tokenizer_2');
  const first = refiner ? undefined : await encoder('text_encoder', 'tokenizer');
  const vae = await loadVae(runtime, {
    name: folder.name, file: folder.files.vaeDecoder, encoderFile: folder.files.vaeEncoder,
    scalingFactor: folder.scalingFactor, shiftFactor: folder.shiftFactor, latentChannels: folder.latentChannels,
  });
  return { folder, unet, clip: new SdxlClip(first, second), vae, refiner, notes };
}
