// The claim (POST /api/workers/runs/<id>/claim): the one place a scaled-mode run is handed to a worker host.
// PostgreSQL's conditional update decides who has a run, so a job BullMQ delivers twice never runs twice; the
// candidates order implements pools and model affinity.
import { z } from 'zod';
import { workflowRoomOf } from '../auth/access';
import { ApiError } from '../api/respond';
import type { Db } from '../db';
import type { Metrics } from '../metrics/metrics';
import { DEFAULT_POOL, POOL_PATTERN } from '../queue/pools';
import { batchKeyOf, gatherBatch, type BatchPolicy } from '../queue/batch-gather';
import { QUEUE_ORDER, type RunQueue } from '../queue/queue';

/** A claimed run, as the worker host needs it to start (protocol.ts `run` plus where its events go). */
export interface ClaimedRun {
  runId: string;
  ownerId: string | null;
  graph: unknown;
  targets?: string[];
  debug?: unknown;
  workflowId?: string;
  workflowRoom?: string;
  previewListeners: number;
  /** Its model key (queue/model-key.ts): the host advertises it as warm once the run is over. */
  modelKey: string | null;
  /** Dynamic batching: queued runs of its pool claimed with it, to run together on the same worker process. */
  mates?: ClaimedRun[];
}

export interface AffinitySettings {
  /** AFFINITY_WINDOW: how far down its pool's line a worker looks for a run with its models warm; 0 = FIFO. */
  window: number;
  /** AFFINITY_MAX_WAIT (ms): a head of line older than this goes first. */
  maxWaitMs: number;
}

export interface ClaimDeps {
  db: Db;
  queue: RunQueue;
  affinity: AffinitySettings;
  /** BATCH_WINDOW_MS and MAX_BATCH, as in embedded mode (queue/batch-gather.ts). */
  batching: BatchPolicy;
  /** Sockets watching a run, across every web server. */
  listeners(runId: string, workflowRoom: string | undefined): Promise<number>;
  metrics?: Metrics;
}

/** A worker host's id, as claims and records name it. */
export const workerIdSchema = z.string().min(1).max(200);
const claimSchema = z.object({
  workerId: workerIdSchema,
  pool: z.string().regex(POOL_PATTERN).default(DEFAULT_POOL),
  /** Model keys the worker has loaded (the last run's): runs with one of them are preferred. */
  warm: z.array(z.string().max(64)).max(16).default([]),
});

export function createClaim(d: ClaimDeps): (runId: string, body: unknown) => Promise<ClaimedRun> {
  /**
   * The runs to try, best first. A BullMQ job is a turn in the pool's line rather than a particular run: the job of
   * run R may be answered with another queued run of the same pool, one whose models the worker has warm (affinity),
   * and R's own job then serves whoever takes it next. Jobs and queued rows stay one-to-one in number, and every
   * queued row has a job (reconcile), so no run is left without a turn; a surplus turn finds nothing and is dropped.
   */
  async function candidates(runId: string, pool: string, warm: string[]): Promise<string[]> {
    const { window, maxWaitMs } = d.affinity;
    if (window === 0) return [runId];
    const line = await d.db.run.findMany({
      where: { status: 'queued', pool }, orderBy: QUEUE_ORDER, take: window, select: { id: true, modelKey: true, queuedAt: true },
    });
    const head = line[0];
    const overdue = head && Date.now() - head.queuedAt.getTime() > maxWaitMs ? [head.id] : [];
    const warmFirst = line.filter((r) => r.modelKey && warm.includes(r.modelKey)).map((r) => r.id);
    return [...new Set([...overdue, ...warmFirst, runId, ...line.map((r) => r.id)])];
  }

  async function claim(runId: string, body: unknown): Promise<ClaimedRun> {
    const who = claimSchema.safeParse(body);
    if (!who.success) throw new ApiError(400, 'invalid_claim', 'a claim names the worker and its pool: { "workerId": "…", "pool": "default", "warm": [] }');
    const { workerId: worker, pool, warm } = who.data;
    // The one place a run is handed out: whoever flips queued → running first has it (BullMQ may deliver a job
    // twice, e.g. after a stalled lock or a Redis restart; the database decides).
    let claimed: string | undefined;
    for (const id of await candidates(runId, pool, warm)) {
      const { count } = await d.db.run.updateMany({
        where: { id, status: 'queued', pool },
        data: { status: 'running', workerId: worker, startedAt: new Date() },
      });
      if (count === 1) {
        claimed = id;
        break;
      }
    }
    const row = await findRow(claimed ?? runId);
    if (!row) throw new ApiError(404, 'unknown_run', `no run "${runId}"`);
    // The same worker asking again (its first answer was lost on the way) gets the run it already holds.
    const again = row.status === 'running' && row.workerId === worker && !row.finishedAt;
    if (!claimed && !again) throw new ApiError(409, 'not_queued', `run "${runId}" is ${row.status}, not queued, and pool "${pool}" has no other run waiting; skip it`, { status: row.status });
    if (claimed && row.startedAt) d.metrics?.runStarted(row.queuedAt, row.startedAt);
    // Asked again, it gets the mates it was given the first time (claimed with the same start time).
    const mates = claimed ? await claimMates(row, pool, worker)
      : await d.db.run.findMany({ where: { status: 'running', workerId: worker, startedAt: row.startedAt, id: { not: row.id } }, include: { workflow: { select: { ownerId: true } } } });
    await d.queue.claimed();
    const first = await describe(row);
    return mates.length ? { ...first, mates: await Promise.all(mates.map(describe)) } : first;
  }

  type Row = NonNullable<Awaited<ReturnType<typeof findRow>>>;
  function findRow(id: string) {
    return d.db.run.findUnique({ where: { id }, include: { workflow: { select: { ownerId: true } } } });
  }

  async function describe(row: Row): Promise<ClaimedRun> {
    const workflowRoom = workflowRoomOf(row);
    return {
      runId: row.id, ownerId: row.userId, graph: JSON.parse(row.graph),
      targets: row.targets ? JSON.parse(row.targets) : undefined,
      debug: row.debug ? JSON.parse(row.debug) : undefined,
      workflowId: row.workflowId ?? undefined, workflowRoom, modelKey: row.modelKey,
      previewListeners: await d.listeners(row.id, workflowRoom).catch(() => 1),
    };
  }

  /**
   * Dynamic batching: queued runs of the pool with the claimed run's batch key, up to MAX_BATCH in all, waiting out
   * the rest of BATCH_WINDOW_MS once for more to arrive. Their BullMQ jobs stay in line as surplus turns.
   */
  async function claimMates(row: Row, pool: string, worker: string): Promise<Row[]> {
    const { maxBatch, windowMs } = d.batching;
    const key = maxBatch > 1 ? batchKeyOf(row) : null;
    if (key === null) return [];
    const look = async () => {
      const line = await d.db.run.findMany({ where: { status: 'queued', pool }, orderBy: QUEUE_ORDER, take: maxBatch * 4, include: { workflow: { select: { ownerId: true } } } });
      return gatherBatch([row, ...line], maxBatch, key).slice(1);
    };
    let found = await look();
    const left = row.queuedAt.getTime() + windowMs - Date.now();
    if (found.length < maxBatch - 1 && left > 0) {
      await new Promise((r) => setTimeout(r, left));
      found = await look();
    }
    const mates: Row[] = [];
    // The mates share the run's start time: a repeated claim finds them by it.
    const startedAt = row.startedAt ?? new Date();
    for (const m of found) {
      const { count } = await d.db.run.updateMany({ where: { id: m.id, status: 'queued', pool }, data: { status: 'running', workerId: worker, startedAt } });
      if (count !== 1) continue;
      d.metrics?.runStarted(m.queuedAt, startedAt);
      mates.push({ ...m, status: 'running', workerId: worker, startedAt });
    }
    return mates;
  }

  return claim;
}
