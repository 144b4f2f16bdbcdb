// What the tiny SD3 and Flux checkpoints share on disk: the diffusers/Optimum ONNX layout of a flow-matching
// pipeline (model_index.json, scheduler/, tokenizer folders, CLIP and T5 text encoders, transformer/ with its config.json,
// 16-channel vae_decoder/ and vae_encoder/ with their config.json) and stepflow.json's preview projection.
import fs from 'node:fs';
import path from 'node:path';
import type { GraphBuilder } from '../../onnx/builder';
import { ClipTokenizer } from '../../text';
import { writeJson } from '../diffusers-layout';
import { buildTinyVaeDecoder, buildTinyVaeEncoder } from '../tiny-sd/vae';

export interface FlowFolderSpec {
  pipeline: 'StableDiffusion3Pipeline' | 'FluxPipeline';
  scheduler: Record<string, unknown>;
  /** The VAE config's scaling_factor and shift_factor (latent = (z - shift) · scale). */
  vae: { scalingFactor: number; shiftFactor: number; seed: number };
  /** Text encoder folders (text_encoder, text_encoder_2, ...), each with its tokenizer folder. */
  encoders: { folder: string; tokenizer: string; graph: GraphBuilder }[];
  /** The T5 encoder folder (SD3: text_encoder_3, Flux: text_encoder_2) and its tokenizer folder with tokenizer.json. */
  t5: { folder: string; tokenizer: string; graph: GraphBuilder; tokenizerJson: unknown };
  transformer: { graph: GraphBuilder; config: Record<string, unknown> };
  description: string;
}

const CHANNELS = 16;

export function writeFlowFolder(dir: string, spec: FlowFolderSpec): void {
  fs.rmSync(dir, { recursive: true, force: true });
  const onnxModel = ['diffusers', 'OnnxRuntimeModel'];
  const components = Object.fromEntries([
    ...spec.encoders.map((e) => [e.folder, onnxModel]),
    ...[...new Set(spec.encoders.map((e) => e.tokenizer))].map((t) => [t, ['transformers', 'CLIPTokenizer']]),
    [spec.t5.folder, onnxModel], [spec.t5.tokenizer, ['transformers', 'T5TokenizerFast']],
    ['scheduler', ['diffusers', spec.scheduler._class_name]],
    ['transformer', onnxModel], ['vae_decoder', onnxModel], ['vae_encoder', onnxModel],
  ]);
  writeJson(path.join(dir, 'model_index.json'), { _class_name: spec.pipeline, _diffusers_version: '0.30.0', ...components });
  writeJson(path.join(dir, 'scheduler', 'scheduler_config.json'), spec.scheduler);
  const tok = ClipTokenizer.fromOpenAiGz();
  for (const t of new Set(spec.encoders.map((e) => e.tokenizer))) tok.writeHfFolder(path.join(dir, t));
  for (const e of spec.encoders) e.graph.save(path.join(dir, e.folder, 'model.onnx'));
  spec.t5.graph.save(path.join(dir, spec.t5.folder, 'model.onnx'));
  writeJson(path.join(dir, spec.t5.tokenizer, 'tokenizer.json'), spec.t5.tokenizerJson);
  spec.transformer.graph.save(path.join(dir, 'transformer', 'model.onnx'), { externalData: { location: 'weights.pb' }, docString: `StepFlow tiny ${spec.pipeline} transformer (random weights)` });
  writeJson(path.join(dir, 'transformer', 'config.json'), spec.transformer.config);
  const vaeConfig = { latent_channels: CHANNELS, scaling_factor: spec.vae.scalingFactor, shift_factor: spec.vae.shiftFactor };
  writeJson(path.join(dir, 'vae_decoder', 'config.json'), vaeConfig);
  writeJson(path.join(dir, 'vae_encoder', 'config.json'), vaeConfig);
  buildTinyVaeDecoder({ channels: CHANNELS, seed: spec.vae.seed }).save(path.join(dir, 'vae_decoder', 'model.onnx'));
  buildTinyVaeEncoder({ channels: CHANNELS, seed: spec.vae.seed + 1 }).save(path.join(dir, 'vae_encoder', 'model.onnx'));
  // The random VAE has no meaningful linear preview; a fixed projection keeps previews deterministic. Latent sides
  // must be even: both transformers cut 2x2 patches.
  const factors = Array.from({ length: CHANNELS }, (_, c) => [0, 1, 2].map((k) => (c % 3 === k ? 0.1 : 0)));
  writeJson(path.join(dir, 'stepflow.json'), { latent_rgb: { factors, bias: [0.5, 0.5, 0.5] }, latent_multiple: 2, description: spec.description });
}

/** Relative '/'-separated paths of every file under `dir`, sorted. */
export function listFiles(root: string, dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(root, path.join(dir, e.name)) : [path.relative(root, path.join(dir, e.name)).split(path.sep).join('/')]))
    .sort();
}
