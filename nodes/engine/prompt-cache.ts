// The prompt-embedding cache: text-encoder outputs shared by every run in one worker, across graphs and node ids
// (the node cache keys by the whole upstream graph), LRU within its own byte budget. Entries are copied in and out:
// a typed array cannot be frozen, and a caller writing into its embeddings must not change what the next run gets.
import type { Tensor } from '../runtime/tensor';
import { NodeCache } from './cache';
import { promptKey, type PromptKeyParts } from './prompt-cache-key';

/** PROMPT_CACHE_BYTES' default: ~280 one-window SD1.5 prompts (77 x 768 float32 = 231 KiB each), ~100 SDXL ones. */
export const DEFAULT_PROMPT_CACHE_BYTES = 64 * 1024 ** 2;

/** Key string, objects and map slot of one entry, besides its tensors. */
const ENTRY_OVERHEAD_BYTES = 256;

export interface PromptEmbedding {
  /** [1, 77*k, dim], emphasis applied. */
  embeddings: Tensor;
  pooled?: Tensor;
}

/** One run's lookups: a hit skipped a text-encoder session run, a miss ran it. */
export interface PromptCacheCounts {
  hits: number;
  misses: number;
}

/** A worker's totals since it started (its heartbeat answer). */
export interface PromptCacheTotals extends PromptCacheCounts {
  entries: number;
  bytes: number;
  evictions: number;
}

/** What a text encoder is handed for one run: lookups within the run's scope, counted for that run. */
export interface PromptLookup {
  get(parts: Omit<PromptKeyParts, 'scope'>): PromptEmbedding | undefined;
  set(parts: Omit<PromptKeyParts, 'scope'>, value: PromptEmbedding): void;
}

function copyTensor(t: Tensor): Tensor {
  return { data: t.data.slice(), dims: [...t.dims] };
}

function copyEmbedding(e: PromptEmbedding): PromptEmbedding {
  return e.pooled ? { embeddings: copyTensor(e.embeddings), pooled: copyTensor(e.pooled) } : { embeddings: copyTensor(e.embeddings) };
}

export class PromptCache {
  // The node cache's LRU-by-bytes, holding one embedding per entry.
  readonly #lru: NodeCache;

  constructor(readonly budgetBytes: number) {
    this.#lru = new NodeCache(budgetBytes);
  }

  get(key: string): PromptEmbedding | undefined {
    const e = this.#lru.get(key);
    return e && copyEmbedding(e.outputs.embedding as PromptEmbedding);
  }

  /** Stores a copy; false when the entry alone is over the budget (or the cache is off). */
  set(key: string, value: PromptEmbedding): boolean {
    const stored = copyEmbedding(value);
    const bytes = stored.embeddings.data.byteLength + (stored.pooled?.data.byteLength ?? 0) + ENTRY_OVERHEAD_BYTES;
    return this.#lru.set(key, { outputs: { embedding: stored }, artifacts: [], bytes });
  }

  has(key: string): boolean {
    return this.#lru.has(key);
  }

  totals(): PromptCacheTotals {
    const l = this.#lru;
    return { hits: l.hits, misses: l.misses, entries: l.size, bytes: l.bytes, evictions: l.evictions };
  }

  /** The lookups of one run, scoped like its node-cache keys (the run's owner). */
  forRun(scope?: string): PromptCacheRun {
    return new PromptCacheRun(this, scope);
  }
}

export class PromptCacheRun implements PromptLookup {
  hits = 0;
  misses = 0;

  constructor(private readonly cache: PromptCache, private readonly scope?: string) {}

  get(parts: Omit<PromptKeyParts, 'scope'>): PromptEmbedding | undefined {
    const found = this.cache.get(promptKey({ ...parts, scope: this.scope }));
    if (found) this.hits++;
    else this.misses++;
    return found;
  }

  set(parts: Omit<PromptKeyParts, 'scope'>, value: PromptEmbedding): void {
    this.cache.set(promptKey({ ...parts, scope: this.scope }), value);
  }

  counts(): PromptCacheCounts {
    return { hits: this.hits, misses: this.misses };
  }
}
