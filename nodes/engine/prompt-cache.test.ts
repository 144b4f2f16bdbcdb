// The prompt-embedding cache on its own: every part of the key matters, the byte budget evicts the least recently
// used entry, stored tensors are out of callers' reach, and a run's lookups are counted and scoped.
import { describe, expect, it } from 'vitest';
import type { TokenChunk } from '../text';
import { PromptCache, type PromptEmbedding } from './prompt-cache';
import { promptKey, type PromptKeyParts } from './prompt-cache-key';

/** One 77-token window: BOS, the ids, EOS, padding; weights 1 except where given. */
function window(ids: number[], weights: Record<number, number> = {}): TokenChunk {
  const all = [49406, ...ids, 49407];
  while (all.length < 77) all.push(49407);
  return { ids: all, weights: all.map((_, i) => weights[i] ?? 1) };
}

const ENCODER = 'lora:text_encoder:aaaa:';
const base: PromptKeyParts = { encoder: ENCODER, chunks: [window([320, 736, 2760])] };

/** An embedding whose values say which entry it is. */
function embedding(tag: number, tokens = 77, dim = 8): PromptEmbedding {
  return {
    embeddings: { data: Float32Array.from({ length: tokens * dim }, (_, i) => tag + i / 1000), dims: [1, tokens, dim] },
    pooled: { data: Float32Array.from({ length: dim }, (_, i) => -tag - i), dims: [1, dim] },
  };
}

describe('promptKey', () => {
  it('is the same for equal parts, whatever object holds them', () => {
    expect(promptKey({ encoder: ENCODER, chunks: [window([320, 736, 2760])] })).toBe(promptKey(base));
    expect(promptKey(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs when any one part differs: encoder hash, LoRA strength, a token, a weight, the windows, the scope', () => {
    const variants: Record<string, PromptKeyParts> = {
      'encoder hash': { ...base, encoder: 'lora:text_encoder:bbbb:' },
      'LoRA strength': { ...base, encoder: `${ENCODER}0123456789abcdef@0.5` },
      'LoRA strength 2': { ...base, encoder: `${ENCODER}0123456789abcdef@0.75` },
      token: { ...base, chunks: [window([320, 736, 2761])] },
      weight: { ...base, chunks: [window([320, 736, 2760], { 2: 1.1 })] },
      'weight 1.1 vs 1.1000001': { ...base, chunks: [window([320, 736, 2760], { 2: 1.1000001 })] },
      'second window': { ...base, chunks: [window([320, 736, 2760]), window([])] },
      scope: { ...base, scope: 'user-a' },
      'other scope': { ...base, scope: 'user-b' },
    };
    const keys = [promptKey(base), ...Object.values(variants).map(promptKey)];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('keeps window boundaries: the same ids split differently is another key', () => {
    const ids = Array.from({ length: 150 }, (_, i) => 1000 + i);
    const a: TokenChunk[] = [{ ids: ids.slice(0, 75), weights: Array(75).fill(1) }, { ids: ids.slice(75), weights: Array(75).fill(1) }];
    const b: TokenChunk[] = [{ ids: ids.slice(0, 74), weights: Array(74).fill(1) }, { ids: ids.slice(74), weights: Array(76).fill(1) }];
    expect(promptKey({ encoder: ENCODER, chunks: a })).not.toBe(promptKey({ encoder: ENCODER, chunks: b }));
  });
});

describe('PromptCache', () => {
  it('misses on every changed part and hits on the same parts, counting per run and in total', () => {
    const cache = new PromptCache(1024 ** 2);
    const run = cache.forRun();
    expect(run.get(base)).toBeUndefined();
    run.set(base, embedding(1));
    expect(run.get({ ...base, encoder: 'lora:text_encoder:bbbb:' })).toBeUndefined();
    expect(run.get({ ...base, encoder: `${ENCODER}0123456789abcdef@0.5` })).toBeUndefined();
    expect(run.get({ ...base, chunks: [window([320, 736, 2761])] })).toBeUndefined();
    expect(run.get({ ...base, chunks: [window([320, 736, 2760], { 2: 1.2 })] })).toBeUndefined();
    const hit = run.get({ encoder: ENCODER, chunks: [window([320, 736, 2760])] });
    expect(hit?.embeddings.data[3]).toBeCloseTo(1.003, 6);
    expect(hit?.pooled?.data[2]).toBe(-3);
    expect(run.counts()).toEqual({ hits: 1, misses: 5 });
    const next = cache.forRun();
    expect(next.get(base)).toBeDefined();
    expect(next.counts()).toEqual({ hits: 1, misses: 0 });
    expect(cache.totals()).toMatchObject({ hits: 2, misses: 5, entries: 1 });
  });

  it("keeps one owner's entries from another (a hit would tell them the prompt was used)", () => {
    const cache = new PromptCache(1024 ** 2);
    cache.forRun('ann').set(base, embedding(1));
    expect(cache.forRun('bob').get(base)).toBeUndefined();
    expect(cache.forRun(undefined).get(base)).toBeUndefined();
    expect(cache.forRun('ann').get(base)?.embeddings.data[0]).toBe(1);
  });

  it('evicts the least recently used entry when the byte budget is full', () => {
    // 77 x 8 floats + 8 pooled = 2496 bytes + 256 overhead = 2752 per entry: three fit in 8500, four do not.
    const cache = new PromptCache(8500);
    const run = cache.forRun();
    const parts = (id: number): PromptKeyParts => ({ encoder: ENCODER, chunks: [window([id])] });
    run.set(parts(1), embedding(1));
    run.set(parts(2), embedding(2));
    run.set(parts(3), embedding(3));
    expect(cache.totals()).toMatchObject({ entries: 3, bytes: 3 * 2752 });
    expect(run.get(parts(1))).toBeDefined(); // 1 is now the most recently used, 2 the least
    run.set(parts(4), embedding(4));
    expect(run.get(parts(2))).toBeUndefined();
    expect(run.get(parts(1))?.embeddings.data[0]).toBe(1);
    expect(run.get(parts(3))?.embeddings.data[0]).toBe(3);
    expect(run.get(parts(4))?.embeddings.data[0]).toBe(4);
    expect(cache.totals()).toMatchObject({ entries: 3, evictions: 1 });
  });

  it('stores nothing over the budget, and nothing at all with a budget of 0', () => {
    const small = new PromptCache(1000);
    expect(small.set('k', embedding(1))).toBe(false);
    expect(small.get('k')).toBeUndefined();
    expect(new PromptCache(0).set('k', embedding(1, 1, 1))).toBe(false);
  });

  it('hands out copies: writing into what was stored or what was returned changes no later answer', () => {
    const cache = new PromptCache(1024 ** 2);
    const run = cache.forRun();
    const original = embedding(5);
    run.set(base, original);
    original.embeddings.data.fill(99);
    original.embeddings.dims[1] = 1;
    original.pooled!.data.fill(99);
    const first = run.get(base)!;
    expect(first.embeddings.data[0]).toBe(5);
    expect(first.embeddings.dims).toEqual([1, 77, 8]);
    expect(first.pooled!.data[0]).toBe(-5);
    first.embeddings.data.fill(-1);
    first.pooled!.data.fill(-1);
    first.embeddings.dims.push(3);
    const second = run.get(base)!;
    expect(Array.from(second.embeddings.data)).toEqual(Array.from(embedding(5).embeddings.data));
    expect(Array.from(second.pooled!.data)).toEqual(Array.from(embedding(5).pooled!.data));
    expect(second.embeddings.dims).toEqual([1, 77, 8]);
    expect(second.embeddings.data).not.toBe(first.embeddings.data);
  });

  it('keeps an entry without pooled output without inventing one', () => {
    const cache = new PromptCache(1024 ** 2);
    cache.set('k', { embeddings: { data: new Float32Array([1, 2]), dims: [1, 1, 2] } });
    expect(cache.get('k')).toEqual({ embeddings: { data: new Float32Array([1, 2]), dims: [1, 1, 2] } });
    expect('pooled' in cache.get('k')!).toBe(false);
  });
});
