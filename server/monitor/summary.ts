// The monitoring numbers (tRPC monitor.summary; the /monitor page reads the same): runs ended in a time window,
// success rate, latency percentiles (overall, per workflow, over time, per node type), queue wait, failures, MOS per
// workflow / version / checkpoint with a 95 % confidence interval, the lowest-rated images, node- and prompt-cache use
// and the workers. Read from the database, so every web server of a scaled deployment agrees (previews excepted:
// those are this server's own counters).
import type { Db } from '../db';
import { checkpointsOf } from './checkpoints';
import { lowestRated, mosByCheckpoint, mosByVersion, mosByWorkflow, type CheckpointMos, type RatedImage, type RatingRow, type VersionMos, type WorkflowMos } from './mos';
import { nodeLatency, type NodeTypeLatency } from './node-latency';
import {
  bucketRuns, countFailures, latencyByWorkflow, promptCacheTotals, runSeconds, runsByWorker,
  type EndedRunRow, type SeriesBucket, type WorkflowLatency,
} from './run-stats';
import { meanWithCi, percentiles, type Percentiles } from './stats';

export { meanWithCi, percentile } from './stats';

export const MONITOR_WINDOWS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 604_800_000 } as const;
export type MonitorWindow = keyof typeof MONITOR_WINDOWS;

/** Buckets of the time series, whatever the window (1 h → 2.5 min each, 24 h → 1 h, 7 d → 7 h). */
export const SERIES_BUCKETS = 24;
const RECENT_FAILURES = 10;
const LOWEST_RATED = 8;

interface HitRate { hits: number; misses: number; hitRate: number | null }

export interface MonitorSummary {
  window: MonitorWindow;
  since: string;
  /** Runs that ended (succeeded or failed) in the window. */
  runs: number;
  /** succeeded / (succeeded + failed), 0..1; null without runs. */
  successRate: number | null;
  /** Seconds from start to end of those runs. */
  latency: Percentiles;
  failuresByCode: Record<string, number>;
  mos: { mean: number | null; count: number };
  mosByWorkflow: WorkflowMos[];
  mosByVersion: VersionMos[];
  mosByCheckpoint: CheckpointMos[];
  /** The images with the lowest mean score among those rated in the window. */
  lowestRated: RatedImage[];
  /** `SERIES_BUCKETS` buckets of `bucketMs` from `since`: runs by end time, latency percentiles in seconds. */
  bucketMs: number;
  series: SeriesBucket[];
  latencyByWorkflow: WorkflowLatency[];
  /** Milliseconds per node type (cache misses), of runs ended in the window. */
  nodeLatency: NodeTypeLatency[];
  /** Seconds from queued to started, of runs that started in the window. */
  queueWait: Percentiles & { runs: number };
  recentFailures: { runId: string; workflowId: string | null; name: string | null; code: string; message: string; nodeId: string | null; at: string }[];
  cache: { node: HitRate; prompt: HitRate };
  /** Step previews this web server sent to browsers or dropped (PREVIEW_FPS) since it started; null when not known. */
  previews: { sent: number; dropped: number } | null;
  /** Runs each worker ended in the window (by Run.workerId). */
  workerRuns: { workerId: string; runs: number; succeeded: number; failed: number }[];
  workers: unknown[];
}

export interface SummaryOptions {
  previews?: () => Promise<{ sent: number; dropped: number }>;
}

async function endedRuns(db: Db, since: Date): Promise<EndedRunRow[]> {
  const rows = await db.run.findMany({
    where: { finishedAt: { gte: since }, status: { in: ['succeeded', 'failed'] } },
    select: {
      id: true, status: true, errorCode: true, workflowId: true, workerId: true, startedAt: true, finishedAt: true,
      promptCacheHits: true, promptCacheMisses: true, workflow: { select: { name: true } },
    },
  });
  return rows.map(({ workflow, ...r }) => ({ ...r, workflowName: workflow?.name ?? null }));
}

async function ratingRows(db: Db, since: Date): Promise<RatingRow[]> {
  const ratings = await db.rating.findMany({
    where: { updatedAt: { gte: since } },
    select: {
      score: true, artifactId: true, runId: true, updatedAt: true,
      run: { select: { workflowId: true, workflowVersion: true, workflow: { select: { name: true } } } },
    },
  });
  // Each run's graph once, however many of its images were rated; in chunks, under SQLite's variable limit.
  const runIds = [...new Set(ratings.map((r) => r.runId))];
  const checkpoints = new Map<string, string[]>();
  for (let i = 0; i < runIds.length; i += 500) {
    const graphs = await db.run.findMany({ where: { id: { in: runIds.slice(i, i + 500) } }, select: { id: true, graph: true } });
    for (const g of graphs) checkpoints.set(g.id, checkpointsOf(g.graph));
  }
  return ratings.map((r) => ({
    score: r.score, artifactId: r.artifactId, runId: r.runId, updatedAt: r.updatedAt,
    workflowId: r.run.workflowId, workflowName: r.run.workflow?.name ?? null, workflowVersion: r.run.workflowVersion,
    checkpoints: checkpoints.get(r.runId) ?? [],
  }));
}

export async function monitorSummary(
  db: Db, window: MonitorWindow, workers: () => Promise<unknown[]>, now = new Date(), options: SummaryOptions = {},
): Promise<MonitorSummary> {
  const windowMs = MONITOR_WINDOWS[window];
  const since = new Date(now.getTime() - windowMs);
  const ended = await endedRuns(db, since);
  const succeeded = ended.filter((r) => r.status === 'succeeded').length;

  const started = await db.run.findMany({ where: { startedAt: { gte: since } }, select: { queuedAt: true, startedAt: true } });
  const waits = started.map((r) => Math.max(0, (r.startedAt!.getTime() - r.queuedAt.getTime()) / 1000));

  const failures = await db.run.findMany({
    where: { finishedAt: { gte: since }, status: 'failed' },
    orderBy: [{ finishedAt: 'desc' }, { id: 'desc' }],
    take: RECENT_FAILURES,
    select: { id: true, workflowId: true, errorCode: true, errorMessage: true, errorNodeId: true, finishedAt: true, workflow: { select: { name: true } } },
  });

  const ratings = await ratingRows(db, since);
  const overall = meanWithCi(ratings.map((r) => r.score));

  const nodes = await db.nodeResult.findMany({
    where: { run: { finishedAt: { gte: since } }, status: 'succeeded' }, select: { type: true, ms: true, cached: true },
  });
  const hits = nodes.filter((n) => n.cached).length;
  const misses = nodes.length - hits;

  return {
    window,
    since: since.toISOString(),
    runs: ended.length,
    successRate: ended.length ? succeeded / ended.length : null,
    latency: percentiles(ended.map(runSeconds).filter((s): s is number => s !== null)),
    failuresByCode: countFailures(ended),
    mos: { mean: overall.mean, count: overall.count },
    mosByWorkflow: mosByWorkflow(ratings),
    mosByVersion: mosByVersion(ratings),
    mosByCheckpoint: mosByCheckpoint(ratings),
    lowestRated: lowestRated(ratings, LOWEST_RATED),
    bucketMs: windowMs / SERIES_BUCKETS,
    series: bucketRuns(ended, since, windowMs, SERIES_BUCKETS),
    latencyByWorkflow: latencyByWorkflow(ended),
    nodeLatency: nodeLatency(nodes),
    queueWait: { runs: waits.length, ...percentiles(waits) },
    recentFailures: failures.map((f) => ({
      runId: f.id, workflowId: f.workflowId, name: f.workflow?.name ?? null, code: f.errorCode ?? 'unknown',
      message: f.errorMessage ?? '', nodeId: f.errorNodeId, at: f.finishedAt!.toISOString(),
    })),
    cache: {
      node: { hits, misses, hitRate: hits + misses ? hits / (hits + misses) : null },
      prompt: promptCacheTotals(ended),
    },
    previews: options.previews ? await options.previews() : null,
    workerRuns: runsByWorker(ended),
    workers: await workers(),
  };
}
