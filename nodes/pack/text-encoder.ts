// The sprites text encoder: CLIP token ids -> per-token hidden states that say which shape the prompt
// names and bind each colour word to the shape or to the background. Pure table look-ups and shifts.
import { GraphBuilder } from '../onnx/builder';
import type { ClipTokenizer } from '../text';
import { COLOR_NAMES, COLOR_SYNONYMS, SHAPES, type ColorName, type ShapeName } from './sprites';

/** Slots of the hidden state: [shape one-hot | shape-colour one-hot | background-colour one-hot | zero padding]. */
export const TEXT_SLOTS = {
  shape: 0,
  shapeColor: SHAPES.length,
  backgroundColor: SHAPES.length + COLOR_NAMES.length,
  /** Hidden size C of last_hidden_state. */
  width: 32,
} as const;

/** Word classes: 0 = a word the encoder ignores; then shapes, colours, "background", "on". */
const CLASS = {
  none: 0,
  shape: 1,
  color: 1 + SHAPES.length,
  background: 1 + SHAPES.length + COLOR_NAMES.length,
  on: 2 + SHAPES.length + COLOR_NAMES.length,
} as const;
const CLASS_COUNT = CLASS.on + 1;
/** Per-class features: shape one-hot, colour one-hot, is-background word, is "on". */
const FEATURES = SHAPES.length + COLOR_NAMES.length + 2;
const F_BACKGROUND = FEATURES - 2;
const F_ON = FEATURES - 1;

export class PackVocabError extends Error {
  readonly code = 'pack_vocab';
  constructor(readonly word: string, ids: readonly number[]) {
    super(`the pack's word "${word}" must be one CLIP token but the tokenizer gives [${ids.join(', ')}]; ` +
      'pick another word in nodes/pack/sprites/palette.ts or shapes.ts');
    this.name = 'PackVocabError';
  }
}

/** The words the encoder understands with their classes; each must be a single CLIP token. */
export function vocabularyWords(): { word: string; cls: number }[] {
  return [
    ...SHAPES.map((w, i) => ({ word: w, cls: CLASS.shape + i })),
    ...COLOR_NAMES.map((w, i) => ({ word: w, cls: CLASS.color + i })),
    ...Object.entries(COLOR_SYNONYMS).map(([w, c]) => ({ word: w, cls: CLASS.color + COLOR_NAMES.indexOf(c) })),
    { word: 'background', cls: CLASS.background },
    { word: 'backdrop', cls: CLASS.background },
    { word: 'on', cls: CLASS.on },
  ];
}

export function singleTokenId(tok: ClipTokenizer, word: string): number {
  const ids = tok.encode(word);
  if (ids.length !== 1) throw new PackVocabError(word, ids);
  return ids[0];
}

/** Token id -> word class, over the whole CLIP vocabulary. */
export function wordClassTable(tok: ClipTokenizer): Int32Array {
  const table = new Int32Array(tok.vocabSize);
  for (const { word, cls } of vocabularyWords()) table[singleTokenId(tok, word)] = cls;
  return table;
}

function featureRows(): Float32Array {
  const rows = new Float32Array(CLASS_COUNT * FEATURES);
  for (let s = 0; s < SHAPES.length; s++) rows[(CLASS.shape + s) * FEATURES + s] = 1;
  for (let c = 0; c < COLOR_NAMES.length; c++) rows[(CLASS.color + c) * FEATURES + SHAPES.length + c] = 1;
  rows[CLASS.background * FEATURES + F_BACKGROUND] = 1;
  rows[CLASS.on * FEATURES + F_ON] = 1;
  return rows;
}

/** Hidden-state slot of a shape / shape colour / background colour (for penalty matrices and tests). */
export const slotOf = {
  shape: (s: ShapeName) => TEXT_SLOTS.shape + SHAPES.indexOf(s),
  shapeColor: (c: ColorName) => TEXT_SLOTS.shapeColor + COLOR_NAMES.indexOf(c),
  backgroundColor: (c: ColorName) => TEXT_SLOTS.backgroundColor + COLOR_NAMES.indexOf(c),
};

/**
 * input_ids int32 [B,77] -> last_hidden_state f32 [B,77,32]. A colour word binds to the background
 * when the next token is "background"/"backdrop" or the previous one is "on" ("red circle on blue
 * background", "circle on blue", "blue backdrop"); otherwise to the shape (a lone "red" too).
 */
export function buildTextEncoder(tok: ClipTokenizer): GraphBuilder {
  const g = new GraphBuilder('sprites_text_encoder');
  const ids = g.input('input_ids', 'int32', ['batch', 77]);
  const cls = g.op('Gather', [g.initializer('embeddings.word_class', wordClassTable(tok), [tok.vocabSize]), ids], {
    name: '/embeddings/word_class/Gather', attrs: { axis: 0 },
  });
  const feats = g.op('Gather', [g.initializer('embeddings.class_features', featureRows(), [CLASS_COUNT, FEATURES]), cls], {
    name: '/embeddings/class_features/Gather', attrs: { axis: 0 },
  });
  const slice = (x: ReturnType<typeof g.op>, start: number, end: number, axis: number) =>
    g.op('Slice', [x, g.int64s([start]), g.int64s([end]), g.int64s([axis])]);
  const isBackground = slice(feats, F_BACKGROUND, F_BACKGROUND + 1, 2);
  const isOn = slice(feats, F_ON, F_ON + 1, 2);
  // Token j looks at j+1 ("... blue background") and j-1 ("on blue ..."); the ends see zeros.
  const nextIsBackground = g.op('Pad', [slice(isBackground, 1, 2 ** 31 - 1, 1), g.int64s([0, 0, 0, 0, 1, 0])], { name: '/binding/next/Pad' });
  const prevIsOn = g.op('Pad', [slice(isOn, 0, -1, 1), g.int64s([0, 1, 0, 0, 0, 0])], { name: '/binding/prev/Pad' });
  const toBackground = g.op('Min', [g.op('Add', [nextIsBackground, prevIsOn]), g.scalar(1)], { name: '/binding/Min' });
  const shapes = slice(feats, 0, SHAPES.length, 2);
  const colors = slice(feats, SHAPES.length, SHAPES.length + COLOR_NAMES.length, 2);
  const backgroundColors = g.op('Mul', [colors, toBackground], { name: '/binding/background/Mul' });
  const shapeColors = g.op('Sub', [colors, backgroundColors], { name: '/binding/shape/Sub' });
  const hidden = g.op('Concat', [shapes, shapeColors, backgroundColors], { name: '/encoder/Concat', attrs: { axis: 2 } });
  const used = TEXT_SLOTS.backgroundColor + COLOR_NAMES.length;
  const padded = g.op('Pad', [hidden, g.int64s([0, 0, 0, 0, 0, TEXT_SLOTS.width - used])], { name: '/encoder/Pad' });
  g.output(padded, 'last_hidden_state', 'float32', ['batch', 77, TEXT_SLOTS.width]);
  return g;
}
