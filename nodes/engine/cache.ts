// Node output cache shared by every run in one worker: LRU bounded by the bytes of the values.
import type { Artifact } from '../define';
import type { RunWarning } from './events';

export interface CacheEntry {
  outputs: Record<string, unknown>;
  artifacts: Artifact[];
  /** The node's run-level warnings: a hit reports them again, since the result they describe is the same. */
  warnings?: RunWarning[];
  bytes: number;
}

export class NodeCache {
  private readonly entries = new Map<string, CacheEntry>();
  private used = 0;
  hits = 0;
  misses = 0;
  evictions = 0;

  constructor(readonly budgetBytes: number) {}

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): CacheEntry | undefined {
    const e = this.entries.get(key);
    if (!e) {
      this.misses++;
      return undefined;
    }
    // Re-insert to mark as most recently used (Map keeps insertion order).
    this.entries.delete(key);
    this.entries.set(key, e);
    this.hits++;
    return e;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Stores the entry unless it alone exceeds the budget; evicts least recently used ones. */
  set(key: string, entry: CacheEntry): boolean {
    this.delete(key);
    if (entry.bytes > this.budgetBytes) return false;
    this.entries.set(key, entry);
    this.used += entry.bytes;
    for (const [k, e] of this.entries) {
      if (this.used <= this.budgetBytes) break;
      this.entries.delete(k);
      this.used -= e.bytes;
      this.evictions++;
    }
    return true;
  }

  delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.used -= e.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }
}
