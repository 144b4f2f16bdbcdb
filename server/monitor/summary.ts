// The monitoring numbers (tRPC monitor.summary; the /monitor page reads the same): runs ended in a time window,
// success rate, latency percentiles, failures by code, MOS overall and per workflow with a 95 % confidence interval,
// node-cache use and the workers. Read from the database, so every web server of a scaled deployment agrees.
import type { Db } from '../db';

export const MONITOR_WINDOWS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 604_800_000 } as const;
export type MonitorWindow = keyof typeof MONITOR_WINDOWS;

/** Nearest-rank percentile of ascending `sorted` (p in 0..100); null for no data. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Mean, count and the half-width of its 95 % confidence interval (normal approximation; null below 2 scores). */
export function meanWithCi(scores: readonly number[]): { mean: number | null; count: number; ci95: number | null } {
  const n = scores.length;
  if (!n) return { mean: null, count: 0, ci95: null };
  const mean = scores.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, count: n, ci95: null };
  const variance = scores.reduce((a, s) => a + (s - mean) ** 2, 0) / (n - 1);
  return { mean, count: n, ci95: 1.96 * Math.sqrt(variance / n) };
}

export interface MonitorSummary {
  window: MonitorWindow;
  since: string;
  /** Runs that ended (succeeded or failed) in the window. */
  runs: number;
  /** succeeded / (succeeded + failed), 0..1; null without runs. */
  successRate: number | null;
  /** Seconds from start to end of those runs. */
  latency: { p50: number | null; p90: number | null; p99: number | null };
  failuresByCode: Record<string, number>;
  mos: { mean: number | null; count: number };
  mosByWorkflow: { workflowId: string | null; name: string; mean: number; count: number; ci95: number | null }[];
  cache: { node: { hits: number; misses: number; hitRate: number | null } };
  workers: unknown[];
}

export async function monitorSummary(db: Db, window: MonitorWindow, workers: () => Promise<unknown[]>, now = new Date()): Promise<MonitorSummary> {
  const since = new Date(now.getTime() - MONITOR_WINDOWS[window]);
  const ended = await db.run.findMany({
    where: { finishedAt: { gte: since }, status: { in: ['succeeded', 'failed'] } },
    select: { status: true, errorCode: true, startedAt: true, finishedAt: true },
  });
  const succeeded = ended.filter((r) => r.status === 'succeeded').length;
  const seconds = ended.filter((r) => r.startedAt && r.finishedAt)
    .map((r) => (r.finishedAt!.getTime() - r.startedAt!.getTime()) / 1000)
    .sort((a, b) => a - b);
  const failuresByCode: Record<string, number> = {};
  for (const r of ended) if (r.status === 'failed') failuresByCode[r.errorCode ?? 'unknown'] = (failuresByCode[r.errorCode ?? 'unknown'] ?? 0) + 1;

  const ratings = await db.rating.findMany({
    where: { updatedAt: { gte: since } },
    select: { score: true, run: { select: { workflowId: true, workflow: { select: { name: true } } } } },
  });
  const byWorkflow = new Map<string, { workflowId: string | null; name: string; scores: number[] }>();
  for (const r of ratings) {
    const key = r.run.workflowId ?? '';
    const entry = byWorkflow.get(key) ?? { workflowId: r.run.workflowId, name: r.run.workflow?.name ?? 'ad-hoc graphs', scores: [] };
    entry.scores.push(r.score);
    byWorkflow.set(key, entry);
  }
  const overall = meanWithCi(ratings.map((r) => r.score));

  const cached = await db.nodeResult.groupBy({ by: ['cached'], where: { run: { finishedAt: { gte: since } }, status: 'succeeded' }, _count: true });
  const hits = cached.find((c) => c.cached)?._count ?? 0;
  const misses = cached.find((c) => !c.cached)?._count ?? 0;

  return {
    window,
    since: since.toISOString(),
    runs: ended.length,
    successRate: ended.length ? succeeded / ended.length : null,
    latency: { p50: percentile(seconds, 50), p90: percentile(seconds, 90), p99: percentile(seconds, 99) },
    failuresByCode,
    mos: { mean: overall.mean, count: overall.count },
    mosByWorkflow: [...byWorkflow.values()].map(({ workflowId, name, scores }) => {
      const s = meanWithCi(scores);
      return { workflowId, name, mean: s.mean!, count: s.count, ci95: s.ci95 };
    }).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name) || String(a.workflowId).localeCompare(String(b.workflowId))),
    cache: { node: { hits, misses, hitRate: hits + misses ? hits / (hits + misses) : null } },
    workers: await workers(),
  };
}
