// Test fixture: a tiny diffusers ONNX checkpoint whose answers are known in closed form.
// Text encoder: "red"/"green"/"blue" -> one-hot rows, every other token -> 0. U-Net: the exact noise
// predictor for a point mass at y = sum of the context over tokens (so DDIM lands exactly on
// y_uncond + cfg * (y_cond - y_uncond)). VAE: latent channels 0..2 are R, G, B (scaled), x8 blocks.
import fs from 'node:fs';
import path from 'node:path';
import { GraphBuilder, type GraphValue } from '../../onnx/builder';
import { ClipTokenizer } from '../../text';
import { createScheduler } from '../../sampling/schedulers';
import { SD15_SCHEDULER_CONFIG } from '../defaults';

export const TOY_SCALING = 0.5;
/** Latent value per colour word (channel index = R, G, B). */
export const TOY_WORDS: Record<string, [number, number, number, number]> = {
  red: [0.4, 0, 0, 0],
  green: [0, 0.4, 0, 0],
  blue: [0, 0, 0.4, 0],
};
const DIM = 4;
const CAST = { float32: 1, int64: 7, float16: 10 } as const;

export interface ToyOptions {
  ids?: 'int32' | 'int64';
  timestep?: 'float32' | 'int64';
  /** float16 sample/context/output tensors. */
  half?: boolean;
  /** Pin the batch dimension to 1 (old fixed-shape exports). */
  fixedBatch?: boolean;
  /** Leave out vae_encoder/. */
  noEncoder?: boolean;
}

let tokenizer: ClipTokenizer | undefined;
export function toyTokenizer(): ClipTokenizer {
  tokenizer ??= ClipTokenizer.fromOpenAiGz();
  return tokenizer;
}

function textEncoder(o: ToyOptions): GraphBuilder {
  const g = new GraphBuilder('toy_text_encoder');
  const batch = o.fixedBatch ? 1 : 'batch';
  const ids = g.input('input_ids', o.ids ?? 'int32', [batch, 77]);
  const table = new Float32Array(49408 * DIM);
  for (const [word, v] of Object.entries(TOY_WORDS)) {
    const [id] = toyTokenizer().encode(word);
    table.set(v, id * DIM);
  }
  const w = g.initializer('embeddings', table, [49408, DIM]);
  const idx = (o.ids ?? 'int32') === 'int64' ? ids : g.op('Cast', [ids], { attrs: { to: CAST.int64 } });
  g.output(g.op('Gather', [w, idx], { attrs: { axis: 0 } }), 'last_hidden_state', 'float32', [batch, 77, DIM]);
  return g;
}

function unet(o: ToyOptions): GraphBuilder {
  const g = new GraphBuilder('toy_unet');
  const batch = o.fixedBatch ? 1 : 'batch';
  const ft = o.half ? 'float16' : 'float32';
  const toF32 = (v: GraphValue) => (o.half ? g.op('Cast', [v], { attrs: { to: CAST.float32 } }) : v);
  const x = toF32(g.input('sample', ft, [batch, 4, 'height', 'width']));
  const tIn = g.input('timestep', o.timestep ?? 'float32', [batch]);
  const ctx = toF32(g.input('encoder_hidden_states', ft, [batch, 'sequence', DIM]));
  const acp = Float32Array.from(createScheduler('ddim', { ...SD15_SCHEDULER_CONFIG }).alphasCumprod);
  const table = g.initializer('alphas_cumprod', acp, [1000]);
  const tIdx = (o.timestep ?? 'float32') === 'int64'
    ? tIn
    : g.op('Cast', [g.op('Floor', [g.op('Add', [tIn, g.scalar(0.5)])])], { attrs: { to: CAST.int64 } });
  const a = g.op('Reshape', [g.op('Gather', [table, tIdx], { attrs: { axis: 0 } }), g.int64s([-1, 1, 1, 1])]);
  const y = g.op('Reshape', [g.op('ReduceSum', [ctx, g.int64s([1])], { attrs: { keepdims: 0 } }), g.int64s([-1, DIM, 1, 1])]);
  const num = g.op('Sub', [x, g.op('Mul', [g.op('Sqrt', [a]), y])]);
  const eps = g.op('Div', [num, g.op('Sqrt', [g.op('Sub', [g.scalar(1), a])])]);
  const out = o.half ? g.op('Cast', [eps], { attrs: { to: CAST.float16 } }) : eps;
  g.output(out, 'out_sample', ft, [batch, 4, 'height', 'width']);
  return g;
}

function vaeDecoder(): GraphBuilder {
  const g = new GraphBuilder('toy_vae_decoder');
  const z = g.input('latent_sample', 'float32', ['batch', 4, 'h', 'w']);
  const w = g.initializer('conv.weight', Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]), [3, 4, 1, 1]);
  const rgb = g.op('Conv', [z, w]);
  const up = g.op('Resize', [rgb, null, g.constant([1, 1, 8, 8])], { attrs: { mode: 'nearest' } });
  g.output(up, 'sample', 'float32', ['batch', 3, 'H', 'W']);
  return g;
}

function vaeEncoder(): GraphBuilder {
  const g = new GraphBuilder('toy_vae_encoder');
  const x = g.input('sample', 'float32', ['batch', 3, 'H', 'W']);
  const pooled = g.op('AveragePool', [x], { attrs: { kernel_shape: [8, 8], strides: [8, 8] } });
  const w = g.initializer('conv.weight', Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]), [4, 3, 1, 1]);
  g.output(g.op('Conv', [pooled, w]), 'latent_sample', 'float32', ['batch', 4, 'h', 'w']);
  return g;
}

/** Writes the toy checkpoint folder `dir` (created if needed) and returns it. */
export function writeToyCheckpoint(dir: string, o: ToyOptions = {}): string {
  const at = (...p: string[]) => path.join(dir, ...p);
  fs.mkdirSync(dir, { recursive: true });
  const json = (file: string, v: unknown) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(v, null, 2));
  };
  json(at('model_index.json'), { _class_name: 'OnnxStableDiffusionPipeline', unet: ['diffusers', 'OnnxRuntimeModel'] });
  json(at('scheduler', 'scheduler_config.json'), SD15_SCHEDULER_CONFIG);
  json(at('vae_decoder', 'config.json'), { scaling_factor: TOY_SCALING, latent_channels: 4 });
  // rgb01 = (z / s) / 2 + 0.5 on channels 0..2: factor 1 / (2 s) = 1.
  json(at('stepflow.json'), { latent_rgb: { factors: [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]], bias: [0.5, 0.5, 0.5] }, resolution: [64, 64] });
  toyTokenizer().writeHfFolder(at('tokenizer'));
  textEncoder(o).save(at('text_encoder', 'model.onnx'));
  unet(o).save(at('unet', 'model.onnx'), { externalData: { location: 'weights.pb', threshold: 1024 } });
  vaeDecoder().save(at('vae_decoder', 'model.onnx'));
  if (!o.noEncoder) vaeEncoder().save(at('vae_encoder', 'model.onnx'));
  return dir;
}
