// The parts of a diffusers ONNX folder that every generated checkpoint shares: model_index.json and
// SD 1.5's scheduler config, written the way Optimum exports them.
import fs from 'node:fs';
import path from 'node:path';
import { SD15_SCHEDULER_CONFIG } from '../models/defaults';

export function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}

/** model_index.json + scheduler/scheduler_config.json of an OnnxStableDiffusionPipeline folder. */
export function writePipelineIndex(dir: string): void {
  const onnxModel = ['diffusers', 'OnnxRuntimeModel'];
  writeJson(path.join(dir, 'model_index.json'), {
    _class_name: 'OnnxStableDiffusionPipeline',
    _diffusers_version: '0.6.0',
    feature_extractor: [null, null],
    requires_safety_checker: false,
    safety_checker: [null, null],
    scheduler: ['diffusers', SD15_SCHEDULER_CONFIG._class_name],
    text_encoder: onnxModel,
    tokenizer: ['transformers', 'CLIPTokenizer'],
    unet: onnxModel,
    vae_decoder: onnxModel,
    vae_encoder: onnxModel,
  });
  writeJson(path.join(dir, 'scheduler', 'scheduler_config.json'), SD15_SCHEDULER_CONFIG);
}
