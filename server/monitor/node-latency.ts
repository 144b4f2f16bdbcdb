// Per node type: how often it ran and how long it took (ms), from the NodeResult rows of runs ended in the window.
// Cache hits take ~0 ms and would pull the percentiles down, so they are counted apart.
import { groupBy, percentile } from './stats';

export interface NodeResultRow { type: string; ms: number; cached: boolean }

export interface NodeTypeLatency {
  type: string;
  /** Executions (cache misses) the percentiles are over. */
  runs: number;
  cached: number;
  p50: number | null;
  p90: number | null;
}

/** Slowest P90 first (types that only hit the cache last). */
export function nodeLatency(rows: readonly NodeResultRow[]): NodeTypeLatency[] {
  return [...groupBy(rows, (r) => r.type, (r) => r.type).values()].map(({ label, items }) => {
    const ms = items.filter((r) => !r.cached).map((r) => r.ms).sort((a, b) => a - b);
    return { type: label, runs: ms.length, cached: items.length - ms.length, p50: percentile(ms, 50), p90: percentile(ms, 90) };
  }).sort((a, b) => (b.p90 ?? -1) - (a.p90 ?? -1) || a.type.localeCompare(b.type));
}
