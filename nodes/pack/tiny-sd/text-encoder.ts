// The tiny CLIP text encoder: random weights, two pre-norm transformer layers with causal self-attention,
// transformers' module names (`/text_model/encoder/layers.0/self_attn/q_proj/MatMul`). input_ids int32
// [B, 77] -> last_hidden_state [B, 77, 32] and hidden_states.0-2. The token table is float16 (half the bytes) and cast up.
// Options give the tiny SDXL its two encoders (other width and seed, a pooled output: CLIP-L's pooler_output, or
// OpenCLIP-G's projected text_embeds as CLIPTextModelWithProjection exports them).
import { GraphBuilder, type GraphValue } from '../../onnx/builder';
import { float32ToFloat16 } from '../../runtime/float16';
import { TinyLayers, WeightRandom, type LoraModuleSpec } from './layers';
import { TINY_CONTEXT_DIM } from './unet';

const VOCAB = 49408;
const TOKENS = 77;
const MLP_DIM = 64;
/** Two layers, so CLIP skip -2 has a layer to stop at. */
export const TINY_TEXT_LAYERS = 2;
const LAYERS = TINY_TEXT_LAYERS;

export interface TinyTextEncoder {
  graph: GraphBuilder;
  modules: LoraModuleSpec[];
}

export interface TinyTextEncoderOptions {
  name?: string;
  seed?: number;
  /** Hidden width (tiny-sd: TINY_CONTEXT_DIM). */
  dim?: number;
  /** pooler_output: the final-normed state at the end token; text_embeds: that state through text_projection. */
  pooled?: 'pooler_output' | 'text_embeds';
}

export function buildTinyTextEncoder(opts: TinyTextEncoderOptions = {}): TinyTextEncoder {
  const g = new GraphBuilder(opts.name ?? 'tiny_sd_text_encoder');
  const l = new TinyLayers(g, new WeightRandom(opts.seed ?? 0x5eed02));
  const d = opts.dim ?? TINY_CONTEXT_DIM;
  const ids = g.input('input_ids', 'int32', ['batch', TOKENS]);
  const table = g.initializer('text_model.embeddings.token_embedding.weight', float32ToFloat16(l.rng.values(VOCAB * d, 1)), [VOCAB, d]);
  const tokens = g.op('Gather', [table, g.op('Cast', [ids], { name: '/text_model/embeddings/Cast', attrs: { to: 7 } })], {
    name: '/text_model/embeddings/token_embedding/Gather', attrs: { axis: 0 },
  });
  const positions = g.initializer('text_model.embeddings.position_embedding.weight', l.rng.values(TOKENS * d, 0.5), [TOKENS, d]);
  const x = g.op('Add', [g.op('Cast', [tokens], { name: '/text_model/embeddings/Cast_1', attrs: { to: 1 } }), positions], { name: '/text_model/embeddings/Add' });

  const causal = Float32Array.from({ length: TOKENS * TOKENS }, (_, i) => (i % TOKENS > Math.floor(i / TOKENS) ? -1e4 : 0));
  const mask = g.initializer('text_model.causal_attention_mask', causal, [1, TOKENS, TOKENS]);
  // Every layer's input and the last layer's output, as transformers' output_hidden_states gives them (Optimum's
  // export names them hidden_states.N): CLIP skip reads an earlier one.
  const states = [x];
  for (let i = 0; i < LAYERS; i++) states.push(encoderLayer(g, l, i, states[i], mask, d));
  // A final norm with its own scale and shift, so CLIP skip's use of them is visible.
  const last = l.layerNorm('text_model.final_layer_norm', states[LAYERS], d, { random: true });
  if (opts.pooled) pooledOutput(l, ids, last, d, opts.pooled);
  g.output(last, 'last_hidden_state', 'float32', ['batch', TOKENS, d]);
  states.forEach((h, i) => g.output(h, `hidden_states.${i}`, 'float32', ['batch', TOKENS, d]));
  return { graph: g, modules: l.modules };
}

/**
 * transformers' pooling: the final-normed state at the first end token (the highest id, so ArgMax finds it), picked
 * by a one-hot row; text_embeds adds CLIPTextModelWithProjection's bias-free text_projection.
 */
function pooledOutput(l: TinyLayers, ids: GraphValue, last: GraphValue, d: number, kind: 'pooler_output' | 'text_embeds'): void {
  const g = l.g;
  const s = '/text_model';
  const eos = g.op('ArgMax', [g.op('Cast', [ids], { name: `${s}/Cast_2`, attrs: { to: 1 } })], { name: `${s}/ArgMax`, attrs: { axis: 1, keepdims: 0 } });
  const pick = g.op('OneHot', [eos, g.int64s([TOKENS]), g.constant([0, 1], [2], 'text_model.one_hot_values')], { name: `${s}/OneHot`, attrs: { axis: -1 } });
  const rows = g.op('Mul', [last, g.op('Unsqueeze', [pick, g.int64s([2])], { name: `${s}/Unsqueeze` })], { name: `${s}/Mul` });
  const pooled = g.op('ReduceSum', [rows, g.int64s([1])], { name: `${s}/ReduceSum`, attrs: { keepdims: 0 } });
  const out = kind === 'text_embeds' ? l.linear('text_projection', pooled, d, d, { bias: false, named: true }) : pooled;
  g.output(out, kind, 'float32', ['batch', d]);
}

/** One pre-norm CLIP layer: causal self-attention and a quick_gelu MLP, each added to the residual. */
function encoderLayer(g: GraphBuilder, l: TinyLayers, i: number, x: GraphValue, mask: GraphValue, d: number): GraphValue {
  const layer = `text_model.encoder.layers.${i}`;
  const scope = `/text_model/encoder/layers.${i}`;
  const n1 = l.layerNorm(`${layer}.layer_norm1`, x, d);
  const proj = (p: string) => l.linear(`${layer}.self_attn.${p}`, n1, d, d);
  const attended = l.attention(`${scope}/self_attn`, proj('q_proj'), proj('k_proj'), proj('v_proj'), d, mask);
  const h = g.op('Add', [x, l.linear(`${layer}.self_attn.out_proj`, attended, d, d)], { name: `${scope}/Add` });

  const n2 = l.layerNorm(`${layer}.layer_norm2`, h, d);
  const fc1 = l.linear(`${layer}.mlp.fc1`, n2, d, MLP_DIM);
  // quick_gelu: x * sigmoid(1.702 x)
  const act = g.op('Mul', [fc1, g.op('Sigmoid', [g.op('Mul', [fc1, g.scalar(1.702)], { name: `${scope}/mlp/activation_fn/Mul` })], {
    name: `${scope}/mlp/activation_fn/Sigmoid`,
  })], { name: `${scope}/mlp/activation_fn/Mul_1` });
  return g.op('Add', [h, l.linear(`${layer}.mlp.fc2`, act, MLP_DIM, d)], { name: `${scope}/Add_1` });
}
