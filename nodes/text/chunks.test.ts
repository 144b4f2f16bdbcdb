// 77-token windows and weighted encoding of prompts.
import { describe, expect, it } from 'vitest';
import type { TokenInfo } from '../values';
import { CLIP_CONTEXT_LENGTH, packChunks } from './chunks';
import { ClipTokenizer } from './clip-tokenizer';

const tok = ClipTokenizer.fromOpenAiGz();
// Ten words that are one token each (ids from the reference truncation case in clip-tokenizer.test.ts).
const PHRASE = 'cup bottle spoon fork apple banana orange bread towel remote';
const BOS = 49406;
const EOS = 49407;

const fakeTokens = (n: number, weight = 1): TokenInfo[] =>
  Array.from({ length: n }, (_, i) => ({ id: 1000 + i, text: `t${i}`, weight }));

describe('packChunks', () => {
  it('a 100-token prompt gives two 77-token windows', () => {
    const chunks = packChunks([fakeTokens(100)], { bos: BOS, eos: EOS, pad: 0 });
    expect(chunks).toHaveLength(2);
    const [first, second] = chunks;
    expect(first.ids).toHaveLength(77);
    expect(first.ids[0]).toBe(BOS);
    expect(first.ids.slice(1, 76)).toEqual(fakeTokens(75).map((t) => t.id));
    expect(first.ids[76]).toBe(EOS);
    expect(second.ids).toHaveLength(77);
    expect(second.ids[0]).toBe(BOS);
    expect(second.ids.slice(1, 26)).toEqual(fakeTokens(100).slice(75).map((t) => t.id));
    expect(second.ids[26]).toBe(EOS);
    expect(second.ids.slice(27)).toEqual(Array(50).fill(0));
    expect(second.weights).toEqual(Array(77).fill(1));
  });

  it('75 tokens fit one window; 76 need two', () => {
    const specials = { bos: BOS, eos: EOS, pad: EOS };
    expect(packChunks([fakeTokens(75)], specials)).toHaveLength(1);
    const two = packChunks([fakeTokens(76)], specials);
    expect(two).toHaveLength(2);
    expect(two[1].ids.slice(0, 4)).toEqual([BOS, 1075, EOS, EOS]);
  });

  it('an empty prompt is one window of BOS, EOS and padding; empty runs add nothing', () => {
    const chunks = packChunks([[], []], { bos: BOS, eos: EOS, pad: 0 });
    expect(chunks).toHaveLength(1);
    expect(chunks[0].ids).toEqual([BOS, EOS, ...Array(75).fill(0)]);
  });

  it('each run starts a new window', () => {
    const chunks = packChunks([fakeTokens(3), fakeTokens(2, 1.5)], { bos: BOS, eos: EOS, pad: EOS });
    expect(chunks.map((c) => c.ids.slice(0, 5))).toEqual([[BOS, 1000, 1001, 1002, EOS], [BOS, 1000, 1001, EOS, EOS]]);
    expect(chunks[1].weights.slice(0, 4)).toEqual([1, 1.5, 1.5, 1]);
  });
});

describe('ClipTokenizer.encodeWeighted', () => {
  it('splits a 100-token prompt into [BOS, 75, EOS] + [BOS, 25, EOS, pad x50]', () => {
    const prompt = Array(10).fill(PHRASE).join(' ');
    const content = tok.encode(prompt);
    expect(content).toHaveLength(100);
    const { chunks, tokens } = tok.encodeWeighted(prompt);
    expect(tokens.map((t) => t.id)).toEqual(content);
    expect(chunks).toHaveLength(2);
    expect(chunks[0].ids).toEqual([BOS, ...content.slice(0, 75), EOS]);
    expect(chunks[1].ids).toEqual([BOS, ...content.slice(75), EOS, ...Array(50).fill(EOS)]);
    for (const c of chunks) expect(c.weights).toHaveLength(CLIP_CONTEXT_LENGTH);
  });

  it('carries emphasis to each token and its chunk position', () => {
    const { chunks, tokens } = tok.encodeWeighted('a photo of a (cat:1.3) on [mat], ((sunny))');
    expect(tokens.map((t) => [t.text, t.weight])).toEqual([
      ['a', 1], ['photo', 1], ['of', 1], ['a', 1], ['cat', 1.3], ['on', 1], ['mat', 1 / 1.1], [',', 1],
      ['sunny', 1.1 * 1.1],
    ]);
    expect(chunks[0].ids.slice(0, 7)).toEqual([BOS, 320, 1125, 539, 320, 2368, 525]);
    expect(chunks[0].weights.slice(0, 7)).toEqual([1, 1, 1, 1, 1, 1.3, 1]);
    expect(chunks[0].weights[7]).toBeCloseTo(0.9090909, 6);
  });

  it('tokenizes each weighted run on its own, like A1111', () => {
    // "hatbox" is [3447 hat, 2063 box]; split by a bracket it becomes "hat</w>" 3801 + box
    // (ids from the Swift reference cases in clip-tokenizer.test.ts).
    expect(tok.encodeWeighted('hatbox').tokens.map((t) => t.id)).toEqual([3447, 2063]);
    const split = tok.encodeWeighted('hat(box)').tokens;
    expect(split.map((t) => [t.id, t.weight])).toEqual([[3801, 1], [2063, 1.1]]);
  });

  it('BREAK starts a new window', () => {
    const { chunks } = tok.encodeWeighted('a cat BREAK a dog');
    expect(chunks.map((c) => c.ids.slice(0, 5))).toEqual([[BOS, 320, 2368, EOS, EOS], [BOS, 320, 1929, EOS, EOS]]);
  });

  it('escaped brackets reach the tokenizer as text', () => {
    // '(' and ')' are printable bytes 0x28 / 0x29: ids 263 / 264 with </w> (vocabulary layout).
    const { tokens } = tok.encodeWeighted('\\(cat\\)');
    expect(tokens.map((t) => [t.id, t.weight])).toEqual([[263, 1], [2368, 1], [264, 1]]);
  });

  it('an empty or bracket-only prompt still gives one window', () => {
    for (const prompt of ['', '   ', '()', '[[(']) {
      const { chunks, tokens } = tok.encodeWeighted(prompt);
      expect(tokens).toEqual([]);
      expect(chunks).toEqual([{ ids: [BOS, EOS, ...Array(75).fill(EOS)], weights: Array(77).fill(1) }]);
    }
  });
});
