// The sprites text encoder binds colour words to the shape or the background slot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxRuntime, type ModelSession } from '../runtime/onnx';
import { ClipTokenizer } from '../text';
import { COLOR_NAMES, SHAPES } from './sprites';
import { buildTextEncoder, singleTokenId, slotOf, TEXT_SLOTS, vocabularyWords, wordClassTable } from './text-encoder';

const C = TEXT_SLOTS.width;
const tok = ClipTokenizer.fromOpenAiGz();
let rt: OnnxRuntime;
let te: ModelSession;

beforeAll(async () => {
  rt = new OnnxRuntime({ provider: 'cpu', intraOpThreads: 1, budgetBytes: 1 << 28 });
  te = await rt.session('te', { bytes: buildTextEncoder(tok).toBytes() });
});

afterAll(async () => {
  await rt.dispose();
});

/** Hidden states summed over tokens (what the U-Net's prior reads), one row per prompt. */
async function pooled(...prompts: string[]): Promise<Float32Array[]> {
  const ids = Int32Array.from(prompts.flatMap((p) => tok.encodeWeighted(p).chunks[0].ids));
  const out = await te.run({ input_ids: { data: ids, dims: [prompts.length, 77] } });
  expect(out.last_hidden_state.dims).toEqual([prompts.length, 77, C]);
  const h = out.last_hidden_state.data as Float32Array;
  return prompts.map((_, b) => {
    const sum = new Float32Array(C);
    for (let t = 0; t < 77; t++) for (let c = 0; c < C; c++) sum[c] += h[(b * 77 + t) * C + c];
    return sum;
  });
}

/** The slots a pooled vector sets, as readable names. */
function named(v: Float32Array): string[] {
  const out: string[] = [];
  v.forEach((x, c) => {
    if (x === 0) return;
    const label = c < TEXT_SLOTS.shapeColor ? `shape:${SHAPES[c]}`
      : c < TEXT_SLOTS.backgroundColor ? `color:${COLOR_NAMES[c - TEXT_SLOTS.shapeColor]}`
        : `background:${COLOR_NAMES[c - TEXT_SLOTS.backgroundColor]}`;
    out.push(x === 1 ? label : `${label}*${x}`);
  });
  return out;
}

describe('sprites text encoder', () => {
  it('uses words that are single CLIP tokens, with their published ids', () => {
    const ids = Object.fromEntries(vocabularyWords().map(({ word }) => [word, singleTokenId(tok, word)]));
    expect(ids).toMatchObject({ red: 736, blue: 1746, circle: 7117, square: 3999, star: 1565, heart: 1936, on: 525, background: 5994 });
    const table = wordClassTable(tok);
    expect(table.length).toBe(49408);
    expect(table[tok.bos]).toBe(0);
    expect(table[tok.eos]).toBe(0);
    expect(table[tok.encode('dog')[0]]).toBe(0);
    expect(new Set(vocabularyWords().map(({ word }) => table[ids[word]])).size).toBe(vocabularyWords().length - 2); // grey = gray, backdrop = background
  });

  it('puts the colours of "red circle on blue background" and its swap in the right slots', async () => {
    const [a, b] = await pooled('red circle on blue background', 'blue circle on red background');
    expect(named(a)).toEqual(['shape:circle', 'color:red', 'background:blue']);
    expect(named(b)).toEqual(['shape:circle', 'color:blue', 'background:red']);
    expect(a[slotOf.shapeColor('red')]).toBe(1);
    expect(b[slotOf.backgroundColor('red')]).toBe(1);
  });

  it('binds by the neighbouring words: "on X", "X background", "X backdrop", a lone colour', async () => {
    const [onOnly, bgOnly, backdrop, lone, grey, noise] = await pooled(
      'a star on navy', 'pink background', 'white heart, black backdrop', 'red', 'grey square', 'a photo of a dog',
    );
    expect(named(onOnly)).toEqual(['shape:star', 'background:navy']);
    expect(named(bgOnly)).toEqual(['background:pink']);
    expect(named(backdrop)).toEqual(['shape:heart', 'color:white', 'background:black']);
    expect(named(lone)).toEqual(['color:red']);
    expect(named(grey)).toEqual(['shape:square', 'color:gray']);
    expect(named(noise)).toEqual([]);
  });

  it('counts repeated words', async () => {
    const [v] = await pooled('red red circle on green background');
    expect(named(v)).toEqual(['shape:circle', 'color:red*2', 'background:green']);
  });
});
