// The tiny CLIP text encoder: random weights, two pre-norm transformer layers with causal self-attention,
// transformers' module names (`/text_model/encoder/layers.0/self_attn/q_proj/MatMul`). input_ids int32
// [B, 77] -> last_hidden_state [B, 77, 32] and hidden_states.0-2 (width, seed and a pooled output are options: the
// SDXL, SD3 and Flux parts' encoders). The token table is float16 (half the bytes) and cast up.
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

/** Shape of a tiny CLIP: tiny-sd's by default; the SDXL, SD3 and Flux parts vary width and seed and add a pooled output. */
export interface TinyTextEncoderOptions {
  name?: string;
  seed?: number;
  dim?: number;
  /**
   * Pooled output: 'text_embeds' (CLIPTextModelWithProjection: the EOS token's final-normed state through a
   * bias-free text_projection, as SD3's CLIP-L/G) or 'pooler_output' (CLIPTextModel, as Flux's CLIP-L).
   */
  pooled?: { output: 'text_embeds' | 'pooler_output'; dim: number };
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
  g.output(last, 'last_hidden_state', 'float32', ['batch', TOKENS, d]);
  if (opts.pooled) pooledOutput(g, l, ids, last, d, opts.pooled);
  states.forEach((h, i) => g.output(h, `hidden_states.${i}`, 'float32', ['batch', TOKENS, d]));
  return { graph: g, modules: l.modules };
}

/**
 * CLIP pools the EOS token: transformers takes the first position holding the largest id (EOS is the vocabulary's
 * last token, and the tokenizer pads with it). first = [id == max] · [cumsum(id == max) == 1] selects it.
 */
function pooledOutput(g: GraphBuilder, l: TinyLayers, ids: GraphValue, last: GraphValue, d: number, pooled: NonNullable<TinyTextEncoderOptions['pooled']>): void {
  const s = '/text_model/pooler';
  const idsF = g.op('Cast', [ids], { name: `${s}/Cast`, attrs: { to: 1 } });
  const isMax = g.op('Cast', [g.op('Equal', [idsF, g.op('ReduceMax', [idsF], { name: `${s}/ReduceMax`, attrs: { axes: [1], keepdims: 1 } })], { name: `${s}/Equal` })], { name: `${s}/Cast_1`, attrs: { to: 1 } });
  const seen = g.op('CumSum', [isMax, g.scalar(1, 'int64')], { name: `${s}/CumSum` });
  const first = g.op('Mul', [isMax, g.op('Cast', [g.op('Equal', [seen, g.scalar(1)], { name: `${s}/Equal_1` })], { name: `${s}/Cast_2`, attrs: { to: 1 } })], { name: `${s}/Mul` });
  const picked = g.op('MatMul', [g.op('Unsqueeze', [first, g.int64s([1])], { name: `${s}/Unsqueeze` }), last], { name: `${s}/MatMul` });
  let out = g.op('Reshape', [picked, g.int64s([-1, d])], { name: `${s}/Reshape` });
  if (pooled.output === 'text_embeds') out = l.linear('text_projection', out, d, pooled.dim, { bias: false, named: true });
  g.output(out, pooled.output, 'float32', ['batch', pooled.output === 'text_embeds' ? pooled.dim : d]);
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
