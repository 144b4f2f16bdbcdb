// Reads a diffusers ONNX folder (the layout Optimum and onnx-web export): which files exist, the
// scheduler and VAE configs, and StepFlow's optional stepflow.json extras.
import fs from 'node:fs';
import path from 'node:path';
import { SD15_SCHEDULER_CONFIG, SD_LATENT_CHANNELS, SD_VAE_SCALING_FACTOR } from './defaults';
import { ModelFormatError } from './errors';
import { isFlowMatchConfig } from '../sampling/schedulers';
import { defaultLatentRgb, parseLatentRgb, type LatentRgb } from './latent-rgb';

export interface CheckpointFolder {
  dir: string;
  name: string;
  modelIndex: Record<string, unknown>;
  schedulerConfig: Record<string, unknown>;
  scalingFactor: number;
  /** vae config shift_factor (SD3, Flux); 0 for SD 1.x/2.x. */
  shiftFactor: number;
  latentChannels: number;
  /** 'unet': an SD U-Net predicting noise; 'flow': an SD3/Flux-style transformer/ predicting flow-matching velocity. */
  family: 'unet' | 'flow';
  /** model_index.json's pipeline when it needs more than one text encoder: SD3 (CLIP-L + CLIP-G [+ T5]) or Flux (CLIP-L [+ T5]). */
  pipeline?: 'sd3' | 'flux';
  /** transformer/config.json (joint_attention_dim: the T5 width the prompt is padded to). */
  transformerConfig?: Record<string, unknown>;
  latentRgb: LatentRgb;
  /** T5 tokens per prompt when stepflow.json states `max_sequence_length` (else SD3's 256, Flux's 512). */
  maxSequenceLength?: number;
  /** Native resolution [width, height] when stepflow.json states it. */
  resolution?: [number, number];
  /** Latent sides must be multiples of this (stepflow.json `latent_multiple`; the sprites U-Net draws whole sprites). */
  latentMultiple?: number;
  description?: string;
  files: {
    /** unet/model.onnx, or transformer/model.onnx for the flow family. */
    denoiser: string;
    textEncoder: string;
    /** SD3: CLIP-G; Flux: T5. */
    textEncoder2?: string;
    /** SD3: T5. */
    textEncoder3?: string;
    vaeDecoder: string;
    vaeEncoder?: string;
    /** Folder with vocab.json + merges.txt, when present. */
    tokenizer?: string;
    /** SD3's CLIP-G tokenizer folder. */
    tokenizer2?: string;
    /** The T5 encoder's tokenizer.json (SD3: tokenizer_3/, Flux: tokenizer_2/), present whenever its encoder is. */
    t5Tokenizer?: string;
  };
}

function readJson(file: string, required: boolean): Record<string, unknown> | undefined {
  if (!fs.existsSync(file)) {
    if (required) throw new ModelFormatError(file, 'is missing; a checkpoint folder needs the diffusers ONNX layout');
    return undefined;
  }
  let v: unknown;
  try {
    v = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ModelFormatError(file, `is not valid JSON (${(e as Error).message})`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ModelFormatError(file, 'must hold a JSON object');
  return v as Record<string, unknown>;
}

function positive(v: unknown, fallback: number, file: string, key: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v > 0)) throw new ModelFormatError(file, `"${key}" must be a positive number, got ${JSON.stringify(v)}`);
  return v;
}

function optionalNumber(v: unknown, file: string, key: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ModelFormatError(file, `"${key}" must be a number, got ${JSON.stringify(v)}`);
  return v;
}

/** model_index.json names a component with a class (diffusers writes [null, null] for one left out). */
function listsComponent(modelIndex: Record<string, unknown>, name: string): boolean {
  const v = modelIndex[name];
  return Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string');
}

export function readCheckpointFolder(dir: string, name = path.basename(dir)): CheckpointFolder {
  const at = (...p: string[]) => path.join(dir, ...p);
  const modelIndex = readJson(at('model_index.json'), true)!;
  const schedulerConfig = readJson(at('scheduler', 'scheduler_config.json'), false) ?? { ...SD15_SCHEDULER_CONFIG };
  const vaeConfigFile = at('vae_decoder', 'config.json');
  const vaeConfig = readJson(vaeConfigFile, false) ?? {};
  const latentChannels = positive(vaeConfig.latent_channels, SD_LATENT_CHANNELS, vaeConfigFile, 'latent_channels');
  const extrasFile = at('stepflow.json');
  const extras = readJson(extrasFile, false) ?? {};

  const missing: string[] = [];
  const need = (rel: string) => {
    if (!fs.existsSync(at(rel))) missing.push(rel);
    return at(rel);
  };
  // A transformer/ folder is what SD3 and Flux exports have instead of unet/ (Optimum's layout).
  const family = fs.existsSync(at('transformer')) ? 'flow' : 'unet';
  if (family === 'flow' && !isFlowMatchConfig(schedulerConfig)) {
    throw new ModelFormatError(at('scheduler', 'scheduler_config.json'), `names ${JSON.stringify(schedulerConfig._class_name)}, but a transformer/ checkpoint needs FlowMatchEulerDiscreteScheduler or FlowMatchHeunDiscreteScheduler (SD3/Flux layout)`);
  }
  const className = String(modelIndex._class_name ?? '');
  // An SD3 folder with one text encoder (the built-in sprites-flow) runs it alone, as before; with text_encoder_2/
  // (or a model_index.json that lists it, as diffusers' SD3 folders do) it is the real layout, whose prompt combines
  // CLIP-L and CLIP-G (flow-prompt.ts), so a missing CLIP-G is refused here rather than at the first sampler step.
  const sd3 = /StableDiffusion3/.test(className) && (fs.existsSync(at('text_encoder_2')) || listsComponent(modelIndex, 'text_encoder_2'));
  const pipeline = sd3 ? 'sd3' : /Flux/.test(className) ? 'flux' : undefined;
  const files: CheckpointFolder['files'] = {
    denoiser: need(family === 'flow' ? 'transformer/model.onnx' : 'unet/model.onnx'),
    // An SDXL refiner's only encoder is text_encoder_2 (sdxl-checkpoint.ts loads SDXL folders).
    textEncoder: need(!fs.existsSync(at('text_encoder')) && fs.existsSync(at('text_encoder_2')) ? 'text_encoder_2/model.onnx' : 'text_encoder/model.onnx'),
    vaeDecoder: need('vae_decoder/model.onnx'),
  };
  // SD3's CLIP-G folder must hold its model (the pooled projection is half CLIP-G's); the T5 encoders are optional.
  if (pipeline === 'sd3') files.textEncoder2 = need('text_encoder_2/model.onnx');
  else if (pipeline === 'flux' && fs.existsSync(at('text_encoder_2', 'model.onnx'))) files.textEncoder2 = at('text_encoder_2', 'model.onnx');
  if (pipeline === 'sd3' && fs.existsSync(at('text_encoder_3', 'model.onnx'))) files.textEncoder3 = at('text_encoder_3', 'model.onnx');
  if (pipeline === 'sd3' && missing.includes('text_encoder_2/model.onnx')) {
    throw new ModelFormatError(dir, `checkpoint folder lacks text_encoder_2/model.onnx: model_index.json names ${className}, whose prompt needs the CLIP-G encoder in text_encoder_2/ (half of the transformer's pooled projection)${missing.length > 1 ? `; also missing: ${missing.filter((m) => !m.startsWith('text_encoder_2')).join(', ')}` : ''}`);
  }
  if (missing.length) {
    throw new ModelFormatError(dir, `checkpoint folder lacks ${missing.join(', ')} (expected the diffusers ONNX layout${pipeline ? ` of ${className}` : ''}: ${family === 'flow' ? 'transformer/' : 'unet/'}, text_encoder/, ${pipeline === 'sd3' ? 'text_encoder_2/, ' : ''}vae_decoder/, tokenizer/)`);
  }
  if (fs.existsSync(at('vae_encoder', 'model.onnx'))) files.vaeEncoder = at('vae_encoder', 'model.onnx');
  if (fs.existsSync(at('tokenizer', 'vocab.json'))) files.tokenizer = at('tokenizer');
  if (pipeline === 'sd3' && fs.existsSync(at('tokenizer_2', 'vocab.json'))) files.tokenizer2 = at('tokenizer_2');
  const t5 = pipeline === 'sd3' ? files.textEncoder3 : files.textEncoder2;
  if (t5) {
    // T5 has no bundled vocabulary to fall back on, as CLIP has.
    const tokenizerDir = pipeline === 'sd3' ? 'tokenizer_3' : 'tokenizer_2';
    files.t5Tokenizer = at(tokenizerDir, 'tokenizer.json');
    if (!fs.existsSync(files.t5Tokenizer)) {
      throw new ModelFormatError(files.t5Tokenizer, `is missing: the T5 encoder ${path.relative(dir, t5)} needs its tokenizer (HuggingFace tokenizer.json; spiece.model alone is not read)`);
    }
  }

  const maxLen = extras.max_sequence_length;
  if (maxLen !== undefined && !(Number.isInteger(maxLen) && (maxLen as number) > 0)) {
    throw new ModelFormatError(extrasFile, `"max_sequence_length" must be a positive integer (T5 tokens per prompt), got ${JSON.stringify(maxLen)}`);
  }
  const res = extras.resolution;
  const resolution = Array.isArray(res) && res.length === 2 && res.every((x) => Number.isInteger(x) && x > 0)
    ? (res as [number, number]) : undefined;
  return {
    dir,
    name,
    modelIndex,
    schedulerConfig,
    scalingFactor: positive(vaeConfig.scaling_factor, SD_VAE_SCALING_FACTOR, vaeConfigFile, 'scaling_factor'),
    shiftFactor: optionalNumber(vaeConfig.shift_factor, vaeConfigFile, 'shift_factor'),
    latentChannels,
    family,
    ...(pipeline ? { pipeline, transformerConfig: readJson(at('transformer', 'config.json'), false) } : {}),
    latentRgb: extras.latent_rgb !== undefined ? parseLatentRgb(extras.latent_rgb, latentChannels, extrasFile) : defaultLatentRgb(className, latentChannels),
    resolution,
    ...(maxLen !== undefined ? { maxSequenceLength: maxLen as number } : {}),
    latentMultiple: Number.isInteger(extras.latent_multiple) && (extras.latent_multiple as number) > 0 ? (extras.latent_multiple as number) : undefined,
    description: typeof extras.description === 'string' ? extras.description : undefined,
    files,
  };
}
