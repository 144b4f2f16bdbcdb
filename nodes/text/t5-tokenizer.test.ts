// The T5 Unigram tokenizer on a small hand-made tokenizer.json whose best segmentations are worked out by hand
// below (score of a path = sum of its pieces' scores; <unk> scores the lowest piece's -6 minus 10 = -16), and a
// hand-laid Precompiled charsmap ("A" -> "a", "B" -> "", "ｒ" -> "r").
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenizerFileError } from './bpe-vocab';
import { T5Tokenizer } from './t5-tokenizer';
import { tinyCharsmapBase64 } from './testing/tiny-charsmap';

const VOCAB: [string, number][] = [
  ['<pad>', 0], ['</s>', 0], ['<unk>', 0], ['▁', -2], ['▁re', -3], ['▁red', -4], ['do', -2], ['o', -5],
  ['r', -5], ['e', -5], ['d', -5], ['▁a', -3], ['a', -4], ['▁fox', -5], ['f', -6], ['x', -6],
];
const ADDED = ['<pad>', '</s>', '<unk>'].map((content, id) => ({ id, content, special: true }));
const POST = {
  type: 'TemplateProcessing',
  single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
  special_tokens: { '</s>': { id: '</s>', ids: [1], tokens: ['</s>'] } },
};

/** transformers' current T5 conversion: Precompiled, strip right, runs of spaces to one "▁"; Metaspace splits. */
const current = {
  added_tokens: ADDED,
  normalizer: {
    type: 'Sequence',
    normalizers: [
      { type: 'Precompiled', precompiled_charsmap: tinyCharsmapBase64() },
      { type: 'Strip', strip_left: false, strip_right: true },
      { type: 'Replace', pattern: { Regex: ' {2,}' }, content: '▁' },
    ],
  },
  pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
  post_processor: POST,
  model: { type: 'Unigram', unk_id: 2, vocab: VOCAB },
};

/** The older conversion (t5-base's tokenizer.json): Precompiled alone; WhitespaceSplit then Metaspace add_prefix_space. */
const older = {
  ...current,
  normalizer: { type: 'Precompiled', precompiled_charsmap: tinyCharsmapBase64() },
  pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Metaspace', replacement: '▁', add_prefix_space: true }] },
};

describe('T5Tokenizer (Unigram, Viterbi)', () => {
  for (const [name, json] of [['current', current], ['older', older]] as const) {
    describe(`${name} tokenizer.json layout`, () => {
      const tok = new T5Tokenizer(json);

      it('takes the best-scoring segmentation, not the longest first piece', () => {
        // "▁redo": ▁re + do = -5 beats ▁red + o = -9 and ▁ + r + e + do = -14; then </s>.
        expect(tok.tokenize('redo')).toEqual([4, 6, 1]);
      });

      it('splits words at spaces, each with its "▁"', () => {
        // ▁a (-3) beats ▁ + a (-6); ▁red (-4) beats ▁re + d (-8); ▁fox (-5) beats ▁ + f + o + x (-19).
        expect(tok.tokenize('a red fox')).toEqual([11, 5, 13, 1]);
        expect(tok.tokenize('  a   red ')).toEqual([11, 5, 1]);
      });

      it('gives one <unk> for a run of unknown characters', () => {
        // "▁zz": ▁ (-2), then z and z have no piece: <unk> <unk> fused into one.
        expect(tok.tokenize('zz red')).toEqual([3, 2, 5, 1]);
      });

      it('normalizes with the charsmap before splitting', () => {
        // "ｒ" -> "r", "B" -> "" and "A" -> "a": "redo a" -> ▁re do ▁a.
        expect(tok.tokenize('ｒedoB A')).toEqual([4, 6, 11, 1]);
      });
    });
  }

  it('takes the other normalizers T5 conversions use', () => {
    expect(new T5Tokenizer({ ...current, normalizer: { type: 'NFKC' } }).tokenize('ｒｅｄｏ')).toEqual([4, 6, 1]);
    expect(new T5Tokenizer({ ...current, normalizer: { type: 'Sequence', normalizers: [{ type: 'Lowercase' }, { type: 'Replace', pattern: { String: 'x' }, content: 'o' }] } }).tokenize('REDX')).toEqual([4, 6, 1]);
  });

  it('matches added tokens in the raw text', () => {
    expect(new T5Tokenizer(current).tokenize('a</s>red')).toEqual([11, 1, 5, 1]);
  });

  it('pads with <pad> (0) to the length, or truncates keeping </s>', () => {
    const tok = new T5Tokenizer(current);
    expect(tok.encode('a red', 6)).toEqual({ ids: [11, 5, 1, 0, 0, 0], used: 3 });
    expect(tok.encode('a red fox', 3)).toEqual({ ids: [11, 5, 1], used: 3 });
    expect(tok.encode('', 2)).toEqual({ ids: [1, 0], used: 1 });
  });

  it('refuses what it cannot read, naming the file and the part', () => {
    expect(() => new T5Tokenizer({ ...current, model: { type: 'BPE', vocab: {} } }, 'x/tokenizer.json')).toThrow(/x\/tokenizer\.json: model type "BPE" is not supported/);
    expect(() => new T5Tokenizer({ ...current, pre_tokenizer: { type: 'ByteLevel' } })).toThrow(TokenizerFileError);
    expect(() => new T5Tokenizer({ ...current, model: { ...current.model, unk_id: 99 } })).toThrow(/unk_id must index the vocabulary/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 't5-tok-'));
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), '{ not json');
    expect(() => T5Tokenizer.fromFile(path.join(dir, 'tokenizer.json'))).toThrow(/tokenizer\.json: cannot be read as JSON/);
    fs.rmSync(dir, { recursive: true });
  });
});
