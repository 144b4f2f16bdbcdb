// A text encoder the size of SD 1.5's (CLIP ViT-L/14 text tower: 12 pre-norm layers, width 768, MLP 3072, 49408-token
// table, 77 positions; ~123 M weights) with random weights, for the prompt-cache bench only: the built-in encoders are
// tiny (width 32), so their encode costs about what a cache hit does, while a real one costs tens of milliseconds.
// Attention is single-head (the pack's layer helper): the same matrix sizes, so about the same cost.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GraphBuilder } from '../nodes/onnx/builder';
import { TinyLayers, WeightRandom } from '../nodes/pack/tiny-sd/layers';

const VOCAB = 49408;
const TOKENS = 77;
const WIDTH = 768;
const MLP = 3072;
const LAYERS = 12;

function buildClipLShaped(): GraphBuilder {
  const g = new GraphBuilder('clip_l_shaped_text_encoder');
  const l = new TinyLayers(g, new WeightRandom(0xc11b));
  const ids = g.input('input_ids', 'int32', ['batch', TOKENS]);
  const table = g.initializer('text_model.embeddings.token_embedding.weight', l.rng.values(VOCAB * WIDTH, 0.02), [VOCAB, WIDTH]);
  const tokens = g.op('Gather', [table, ids], { name: '/text_model/embeddings/token_embedding/Gather', attrs: { axis: 0 } });
  const positions = g.initializer('text_model.embeddings.position_embedding.weight', l.rng.values(TOKENS * WIDTH, 0.01), [TOKENS, WIDTH]);
  let h = g.op('Add', [tokens, positions], { name: '/text_model/embeddings/Add' });
  const causal = Float32Array.from({ length: TOKENS * TOKENS }, (_, i) => (i % TOKENS > Math.floor(i / TOKENS) ? -1e4 : 0));
  const mask = g.initializer('text_model.causal_attention_mask', causal, [1, TOKENS, TOKENS]);
  for (let i = 0; i < LAYERS; i++) {
    const layer = `text_model.encoder.layers.${i}`;
    const n1 = l.layerNorm(`${layer}.layer_norm1`, h, WIDTH);
    const proj = (p: string) => l.linear(`${layer}.self_attn.${p}`, n1, WIDTH, WIDTH);
    const attended = l.attention(`/text_model/encoder/layers.${i}/self_attn`, proj('q_proj'), proj('k_proj'), proj('v_proj'), WIDTH, mask);
    h = g.op('Add', [h, l.linear(`${layer}.self_attn.out_proj`, attended, WIDTH, WIDTH)], { name: `/text_model/encoder/layers.${i}/Add` });
    const n2 = l.layerNorm(`${layer}.layer_norm2`, h, WIDTH);
    const fc1 = l.linear(`${layer}.mlp.fc1`, n2, WIDTH, MLP);
    const act = g.op('Mul', [fc1, g.op('Sigmoid', [g.op('Mul', [fc1, g.scalar(1.702)], { name: `/text_model/encoder/layers.${i}/mlp/Mul` })], {
      name: `/text_model/encoder/layers.${i}/mlp/Sigmoid`,
    })], { name: `/text_model/encoder/layers.${i}/mlp/Mul_1` });
    h = g.op('Add', [h, l.linear(`${layer}.mlp.fc2`, act, MLP, WIDTH)], { name: `/text_model/encoder/layers.${i}/Add_1` });
  }
  g.output(l.layerNorm('text_model.final_layer_norm', h, WIDTH), 'last_hidden_state', 'float32', ['batch', TOKENS, WIDTH]);
  return g;
}

/** A models folder holding text_encoders/clip-l-shaped.onnx (weights in a side file); `remove()` deletes it. */
export function writeClipLShaped(): { modelsDir: string; name: string; remove(): void } {
  const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-bench-clip-l-'));
  const name = 'clip-l-shaped.onnx';
  buildClipLShaped().save(path.join(modelsDir, 'text_encoders', name), { externalData: { location: 'clip-l-shaped.weights' } });
  return { modelsDir, name, remove: () => fs.rmSync(modelsDir, { recursive: true, force: true }) };
}
