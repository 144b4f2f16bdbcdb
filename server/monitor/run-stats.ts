// Run-level monitoring numbers from the rows of runs that ended in the window (pure, so the arithmetic is tested on
// its own): latency per workflow, the latency/success time series, failures, runs per worker, prompt-cache totals.
import { groupBy, percentiles, type Percentiles } from './stats';

export interface EndedRunRow {
  id: string;
  status: string;
  errorCode: string | null;
  workflowId: string | null;
  workflowName: string | null;
  workerId: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  promptCacheHits: number | null;
  promptCacheMisses: number | null;
}

export interface SeriesBucket extends Percentiles {
  /** ISO time the bucket starts; it lasts `bucketMs` of the summary. */
  start: string;
  runs: number;
  succeeded: number;
  failed: number;
  failedByCode: Record<string, number>;
}

export interface WorkflowLatency extends Percentiles {
  workflowId: string | null;
  name: string;
  runs: number;
  succeeded: number;
}

export const AD_HOC_NAME = 'ad-hoc graphs';

/** Seconds from start to end; null for a run that never started (e.g. failed while queued). */
export function runSeconds(r: Pick<EndedRunRow, 'startedAt' | 'finishedAt'>): number | null {
  return r.startedAt && r.finishedAt ? (r.finishedAt.getTime() - r.startedAt.getTime()) / 1000 : null;
}

function latencies(rows: readonly EndedRunRow[]): number[] {
  return rows.map(runSeconds).filter((s): s is number => s !== null);
}

export function countFailures(rows: readonly EndedRunRow[]): Record<string, number> {
  const byCode: Record<string, number> = {};
  for (const r of rows) if (r.status === 'failed') byCode[r.errorCode ?? 'unknown'] = (byCode[r.errorCode ?? 'unknown'] ?? 0) + 1;
  return byCode;
}

/**
 * `count` equal buckets from `since` over `windowMs`, each run in the bucket its end falls in (a run ending exactly
 * at the window's end goes in the last one).
 */
export function bucketRuns(rows: readonly EndedRunRow[], since: Date, windowMs: number, count: number): SeriesBucket[] {
  const bucketMs = windowMs / count;
  const members: EndedRunRow[][] = Array.from({ length: count }, () => []);
  for (const r of rows) {
    if (!r.finishedAt) continue;
    const i = Math.floor((r.finishedAt.getTime() - since.getTime()) / bucketMs);
    members[Math.min(count - 1, Math.max(0, i))].push(r);
  }
  return members.map((m, i) => ({
    start: new Date(since.getTime() + i * bucketMs).toISOString(),
    runs: m.length,
    succeeded: m.filter((r) => r.status === 'succeeded').length,
    failed: m.filter((r) => r.status === 'failed').length,
    failedByCode: countFailures(m),
    ...percentiles(latencies(m)),
  }));
}

/** Busiest workflow first. */
export function latencyByWorkflow(rows: readonly EndedRunRow[]): WorkflowLatency[] {
  const groups = groupBy(rows, (r) => r.workflowId ?? '', (r) => ({ workflowId: r.workflowId, name: r.workflowId ? (r.workflowName ?? r.workflowId) : AD_HOC_NAME }));
  return [...groups.values()].map(({ label, items }) => ({
    ...label, runs: items.length, succeeded: items.filter((r) => r.status === 'succeeded').length, ...percentiles(latencies(items)),
  })).sort((a, b) => b.runs - a.runs || a.name.localeCompare(b.name));
}

/** Runs each worker finished in the window (the database's view: it works for every worker of every server). */
export function runsByWorker(rows: readonly EndedRunRow[]): { workerId: string; runs: number; succeeded: number; failed: number }[] {
  const groups = groupBy(rows.filter((r) => r.workerId), (r) => r.workerId!, (r) => r.workerId!);
  return [...groups.values()].map(({ label, items }) => ({
    workerId: label, runs: items.length,
    succeeded: items.filter((r) => r.status === 'succeeded').length, failed: items.filter((r) => r.status === 'failed').length,
  })).sort((a, b) => a.workerId.localeCompare(b.workerId));
}

/** Prompt-cache lookups summed over runs that report them (runs without a text encoder or with the cache off add 0). */
export function promptCacheTotals(rows: readonly EndedRunRow[]): { hits: number; misses: number; hitRate: number | null } {
  const hits = rows.reduce((a, r) => a + (r.promptCacheHits ?? 0), 0);
  const misses = rows.reduce((a, r) => a + (r.promptCacheMisses ?? 0), 0);
  return { hits, misses, hitRate: hits + misses ? hits / (hits + misses) : null };
}
