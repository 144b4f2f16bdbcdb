// Loads a whole diffusers ONNX checkpoint folder into the MODEL, CLIP and VAE socket values.
import { bundledTokenizer, tokenizerForFolder, type ClipTokenizer } from '../text';
import type { OnnxRuntime } from '../runtime/onnx';
import { loadClip, type OnnxClip } from './clip';
import { checkPipelineInputs, loadFlowPrompt, type FlowPromptEncoder } from './flow-prompt';
import { readCheckpointFolder, type CheckpointFolder } from './diffusers-folder';
import { loadUNet, type OnnxUNet } from './unet';
import { loadVae, type OnnxVae } from './vae';
import { ModelFormatError } from './errors';

export interface LoadedCheckpoint {
  folder: CheckpointFolder;
  unet: OnnxUNet;
  clip: OnnxClip;
  /** SD3/Flux: the CLIP socket's value, combining every text encoder of the folder (flow-prompt.ts). */
  flowPrompt?: FlowPromptEncoder;
  vae: OnnxVae;
  /** Notes for the user (e.g. no tokenizer folder, the bundled CLIP vocabulary was used). */
  notes: string[];
}

export async function loadCheckpoint(runtime: OnnxRuntime, dir: string, name?: string): Promise<LoadedCheckpoint> {
  const folder = readCheckpointFolder(dir, name);
  const notes: string[] = [];
  let tokenizer: ClipTokenizer;
  if (folder.files.tokenizer) {
    tokenizer = tokenizerForFolder(folder.files.tokenizer);
  } else {
    tokenizer = bundledTokenizer();
    notes.push(`checkpoint "${folder.name}" has no tokenizer/ folder; using the bundled CLIP vocabulary`);
  }
  const unet = await loadUNet(runtime, {
    name: folder.name, file: folder.files.denoiser, schedulerConfig: folder.schedulerConfig,
    latentRgb: folder.latentRgb, latentChannels: folder.latentChannels, latentMultiple: folder.latentMultiple,
  });
  checkPipelineInputs(folder, unet.denoiser.session.inputs);
  if (unet.addedTimeIds) {
    throw new ModelFormatError(dir, `lacks text_encoder_2/model.onnx: ${folder.files.denoiser} takes text_embeds and time_ids (an SDXL U-Net), which come from text_encoder_2 (loadSdxlCheckpoint)`);
  }
  const clip = await loadClip(runtime, tokenizer, { name: folder.name, file: folder.files.textEncoder });
  const flowPrompt = folder.pipeline ? await loadFlowPrompt(runtime, folder, tokenizer) : undefined;
  if (flowPrompt && !flowPrompt.parts.t5) {
    const t5 = folder.pipeline === 'sd3' ? 'text_encoder_3' : 'text_encoder_2';
    notes.push(`checkpoint "${folder.name}" has no T5 encoder (${t5}/model.onnx): its ${flowPrompt.parts.t5Tokens} T5 prompt tokens are zeros, as in diffusers without one`);
  }
  const vae = await loadVae(runtime, {
    name: folder.name, file: folder.files.vaeDecoder, encoderFile: folder.files.vaeEncoder,
    scalingFactor: folder.scalingFactor, shiftFactor: folder.shiftFactor, latentChannels: folder.latentChannels,
  });
  return { folder, unet, clip, ...(flowPrompt ? { flowPrompt } : {}), vae, notes };
}
