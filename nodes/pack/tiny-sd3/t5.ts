// The tiny T5 encoder of the tiny SD3 and Flux checkpoints: random weights with the interface Optimum exports for
// T5EncoderModel (input_ids [B, T] -> last_hidden_state [B, T, D], optionally attention_mask), transformers' module
// names, T5's shapes: token table, one pre-norm block (self-attention and a ReLU feed-forward, no biases), RMSNorm
// (T5LayerNorm: x / sqrt(mean(x²) + 1e-6) · weight, no mean subtracted, no shift) and a final RMSNorm. T5's relative
// position bias is left out: the tiny encoder only has to turn different prompts into different states.
// Its tokenizer.json is a small Unigram vocabulary in the layout transformers writes for T5.
import { GraphBuilder, type GraphValue } from '../../onnx/builder';
import { TinyLayers, WeightRandom } from '../tiny-sd/layers';

export interface TinyT5Options {
  name: string;
  seed: number;
  /** Width (the transformer's joint_attention_dim). */
  dim: number;
  /** int64 as Optimum exports it; int32 exercises the runner's conversion. */
  idsType: 'int64' | 'int32';
  /** Declare an attention_mask input (Optimum's T5 encoder export has one; padding is masked out of the keys). */
  attentionMask?: boolean;
}

/** T5LayerNorm with a random weight around 1 (so the encoder's final norm is visible in its output). */
function rmsNorm(l: TinyLayers, path: string, x: GraphValue, dim: number): GraphValue {
  const g = l.g;
  const s = `/${path.replaceAll('.', '/')}`;
  // mean over the last axis as a MatMul with a column of 1/dim: no ReduceMean axes-attribute/input opset split.
  const meanSq = g.op('MatMul', [g.op('Mul', [x, x], { name: `${s}/Mul` }), g.constant(new Float32Array(dim).fill(1 / dim), [dim, 1])], { name: `${s}/MatMul` });
  const rms = g.op('Sqrt', [g.op('Add', [meanSq, g.scalar(1e-6)], { name: `${s}/Add` })], { name: `${s}/Sqrt` });
  const weight = g.initializer(`${path}.weight`, Float32Array.from(l.rng.values(dim, 0.5), (v) => 1 + v), [dim]);
  return g.op('Mul', [g.op('Div', [x, rms], { name: `${s}/Div` }), weight], { name: `${s}/Mul_1` });
}

export function buildTinyT5(vocabSize: number, opts: TinyT5Options): GraphBuilder {
  const g = new GraphBuilder(opts.name);
  const l = new TinyLayers(g, new WeightRandom(opts.seed));
  const d = opts.dim;
  const ids = g.input('input_ids', opts.idsType, ['batch', 'sequence']);
  const table = g.initializer('shared.weight', l.rng.values(vocabSize * d, 1), [vocabSize, d]);
  let x = g.op('Gather', [table, ids], { name: '/encoder/embed_tokens/Gather', attrs: { axis: 0 } });

  const block = 'encoder.block.0.layer';
  const n1 = rmsNorm(l, `${block}.0.layer_norm`, x, d);
  const proj = (p: string, v: GraphValue) => l.linear(`${block}.0.SelfAttention.${p}`, v, d, d, { bias: false });
  let bias: GraphValue | undefined;
  if (opts.attentionMask) {
    // [B, T] mask -> [B, 1, T] additive key bias: 0 where 1, -1e4 where 0.
    const mask = g.input('attention_mask', 'int64', ['batch', 'sequence']);
    const m = g.op('Cast', [g.op('Unsqueeze', [mask, g.int64s([1])], { name: '/encoder/Unsqueeze' })], { name: '/encoder/Cast', attrs: { to: 1 } });
    bias = g.op('Mul', [g.op('Sub', [g.scalar(1), m], { name: '/encoder/Sub' }), g.scalar(-1e4)], { name: '/encoder/Mul' });
  }
  const attn = l.attention(`/encoder/block.0/layer.0/SelfAttention`, proj('q', n1), proj('k', n1), proj('v', n1), d, bias);
  x = g.op('Add', [x, proj('o', attn)], { name: '/encoder/block.0/layer.0/Add' });
  const n2 = rmsNorm(l, `${block}.1.layer_norm`, x, d);
  const h = g.op('Relu', [l.linear(`${block}.1.DenseReluDense.wi`, n2, d, 2 * d, { bias: false })], { name: '/encoder/block.0/layer.1/DenseReluDense/Relu' });
  x = g.op('Add', [x, l.linear(`${block}.1.DenseReluDense.wo`, h, 2 * d, d, { bias: false })], { name: '/encoder/block.0/layer.1/Add' });
  g.output(rmsNorm(l, 'encoder.final_layer_norm', x, d), 'last_hidden_state', 'float32', ['batch', 'sequence', d]);
  return g;
}

/** Words the tests' prompts use, as whole pieces; everything else falls back to "▁" + letters. */
const WORDS = [
  'a', 'an', 'the', 'of', 'in', 'on', 'and', 'with', 'red', 'blue', 'green', 'fox', 'cat', 'dog', 'whale', 'snow', 'sky', 'tree',
  'house', 'photo', 'painting', 'portrait', 'city', 'night', 'sun', 'forest', 'river', 'mountain',
];
const CHARS = [...'abcdefghijklmnopqrstuvwxyz0123456789', ...',.!?\'"-:;()'];

/**
 * A T5-style tokenizer.json: <pad> 0, </s> 1, <unk> 2, then Unigram pieces with log-probability scores (whole words
 * score above their spelled-out letters, so Viterbi picks them), transformers' T5 conversion around it (the
 * Precompiled charsmap replaced by NFKC, which is what its rules amount to for these characters).
 */
export function tinyT5TokenizerJson(): { json: Record<string, unknown>; vocabSize: number } {
  const vocab: [string, number][] = [['<pad>', 0], ['</s>', 0], ['<unk>', 0], ['▁', -3]];
  WORDS.forEach((w, i) => vocab.push([`▁${w}`, -5 - i * 0.01]));
  for (const c of CHARS) vocab.push([`▁${c}`, -9], [c, -8]);
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    vocabSize: vocab.length,
    json: {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [special(0, '<pad>'), special(1, '</s>'), special(2, '<unk>')],
      normalizer: {
        type: 'Sequence',
        normalizers: [{ type: 'NFKC' }, { type: 'Strip', strip_left: false, strip_right: true }, { type: 'Replace', pattern: { Regex: ' {2,}' }, content: '▁' }],
      },
      pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
        pair: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }, { Sequence: { id: 'B', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
        special_tokens: { '</s>': { id: '</s>', ids: [1], tokens: ['</s>'] } },
      },
      decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
      model: { type: 'Unigram', unk_id: 2, vocab, byte_fallback: false },
    },
  };
}

/** The T5 part of a flow folder spec: encoder folder, tokenizer folder, graph and tokenizer.json. */
export function tinyT5(folder: string, tokenizer: string, opts: TinyT5Options): { folder: string; tokenizer: string; graph: GraphBuilder; tokenizerJson: unknown } {
  const { json, vocabSize } = tinyT5TokenizerJson();
  return { folder, tokenizer, graph: buildTinyT5(vocabSize, opts), tokenizerJson: json };
}
