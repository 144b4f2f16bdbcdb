// CLIP skip (ComfyUI's CLIP Set Last Layer): which per-layer hidden state of a text-encoder export a stop layer reads,
// and the encoder's final layer norm, applied to it as ComfyUI (SD1.x) and diffusers' clip_skip do.
import fs from 'node:fs';
import path from 'node:path';
import { getInitializerFloat32, readModel } from '../onnx/model-io';
import type { TensorInfo } from '../onnx/feeds';
import { ModelFormatError } from './errors';

/** transformers' output_hidden_states as Optimum exports them: hidden_states.0 (embeddings) … hidden_states.N (layer N's output). */
const HIDDEN_STATE = /^hidden_states\.(\d+)$/;
const FINAL_NORM = 'text_model.final_layer_norm';
/** CLIPTextConfig.layer_norm_eps, for exports whose layer norm is decomposed into elementary ops. */
const CLIP_LAYER_NORM_EPS = 1e-5;

/** A stop layer the export cannot give (too deep, or no per-layer outputs at all). */
export class ClipLayerError extends Error {
  readonly code = 'clip_layer';
  constructor(readonly file: string, readonly layer: number, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ClipLayerError';
  }
}

/**
 * The output holding the input of the final layer norm when CLIP stops at `layer` (-1 = last, -2 = the one before…):
 * hidden_states.(N + 1 + layer) of N layers. Layer -N is the first layer's output; the embeddings are no layer.
 */
export function hiddenStateOutput(outputs: readonly TensorInfo[], layer: number, file: string): string {
  const indices = outputs.flatMap((o) => HIDDEN_STATE.exec(o.name)?.[1] ?? []).map(Number).sort((a, b) => a - b);
  const layers = indices.length - 1;
  if (layers < 1 || indices.some((n, i) => n !== i)) {
    throw new ClipLayerError(file, layer, `this text encoder exposes no per-layer hidden states (outputs: ${outputs.map((o) => o.name).join(', ')}), ` +
      `so CLIP cannot stop at layer ${layer}; export it with output_hidden_states (outputs hidden_states.0 … hidden_states.N) or use -1`);
  }
  if (layer < -layers) {
    throw new ClipLayerError(file, layer, `this text encoder has ${layers} layers, so it cannot stop at layer ${layer}; use -1 … -${layers}`);
  }
  return `hidden_states.${layers + 1 + layer}`;
}

export interface LayerNormParams {
  weight: Float32Array;
  bias: Float32Array;
  epsilon: number;
}

/** The final layer norm's scale, shift and epsilon, read from the encoder file (and its external data). */
export function readFinalLayerNorm(file: string): LayerNormParams {
  const model = readModel(fs.readFileSync(file));
  const names = new Set((model.graph?.initializer ?? []).map((t) => t.name));
  if (!names.has(`${FINAL_NORM}.weight`) || !names.has(`${FINAL_NORM}.bias`)) {
    throw new ModelFormatError(file, `has no ${FINAL_NORM}.weight / .bias initializers, which CLIP skip applies to an earlier layer's hidden state`);
  }
  const node = model.graph?.node?.find((n) => n.opType === 'LayerNormalization' && n.input?.[1] === `${FINAL_NORM}.weight`);
  const eps = node?.attribute?.find((a) => a.name === 'epsilon')?.f;
  return {
    weight: getInitializerFloat32(model, `${FINAL_NORM}.weight`, path.dirname(file)),
    bias: getInitializerFloat32(model, `${FINAL_NORM}.bias`, path.dirname(file)),
    epsilon: typeof eps === 'number' && eps > 0 ? eps : CLIP_LAYER_NORM_EPS,
  };
}

/** Layer norm over the last axis of rows of `dim` values (float64 sums, as torch accumulates in higher precision). */
export function layerNormRows(data: Float32Array, dim: number, p: LayerNormParams): Float32Array {
  const out = new Float32Array(data.length);
  for (let o = 0; o < data.length; o += dim) {
    let mean = 0;
    for (let k = 0; k < dim; k++) mean += data[o + k];
    mean /= dim;
    let variance = 0;
    for (let k = 0; k < dim; k++) variance += (data[o + k] - mean) ** 2;
    const inv = 1 / Math.sqrt(variance / dim + p.epsilon);
    for (let k = 0; k < dim; k++) out[o + k] = (data[o + k] - mean) * inv * p.weight[k] + p.bias[k];
  }
  return out;
}
