// Scaled mode: a worker host that dies (SIGKILL, power, network) cannot report its run. Each host refreshes a
// heartbeat key in Redis every couple of seconds (worker-host.ts); every web server sweeps the running runs and
// fails those whose host's key has been gone for WORKER_LOST_MS, with code `worker_lost` — not retried, like a
// crashed local worker (the graph may be what kills it). The update is conditional, so several servers sweeping
// at once fail a run once and announce it once.
import type { Redis } from 'ioredis';
import type { RunEvent } from '../../nodes/engine/events';
import { workflowRoomOf } from '../auth/access';
import type { Db } from '../db';
import type { Metrics } from '../metrics/metrics';
import type { ClusterNames } from './redis';

export interface LostWorkerSweepOptions {
  db: Db;
  redis: Redis;
  names: ClusterNames;
  lostAfterMs: number;
  emit(event: RunEvent, workflowRoom: string | undefined): void;
  log: (m: string) => void;
  now?: () => number;
  metrics?: Metrics;
}

export function startLostWorkerSweep(o: LostWorkerSweepOptions): { sweep(): Promise<number>; stop(): Promise<void> } {
  const now = o.now ?? (() => performance.now());
  /** When this server first saw a worker's key missing, by its own clock (Redis itself keeps no history). */
  const missingSince = new Map<string, number>();
  let running: Promise<number> | undefined;

  async function sweepOnce(): Promise<number> {
    // A judgement needs Redis up the whole time: after a Redis restart every key is gone until hosts refresh them.
    if (o.redis.status !== 'ready') {
      missingSince.clear();
      return 0;
    }
    const rows = await o.db.run.findMany({
      where: { status: { in: ['running', 'paused'] }, workerId: { not: null } },
      select: { id: true, workerId: true, workflowId: true, userId: true, startedAt: true, workflow: { select: { ownerId: true } } },
    });
    const byWorker = new Map<string, typeof rows>();
    for (const r of rows) byWorker.set(r.workerId!, [...(byWorker.get(r.workerId!) ?? []), r]);
    for (const id of missingSince.keys()) if (!byWorker.has(id)) missingSince.delete(id);
    let failed = 0;
    for (const [workerId, runs] of byWorker) {
      if (await o.redis.exists(o.names.worker(workerId))) {
        missingSince.delete(workerId);
        continue;
      }
      const since = missingSince.get(workerId) ?? now();
      missingSince.set(workerId, since);
      if (now() - since < o.lostAfterMs) continue;
      for (const r of runs) {
        const message = `worker ${workerId} stopped sending heartbeats (none for ${Math.round(o.lostAfterMs / 1000)} s, WORKER_LOST_MS) while it held this run: its process was killed or its machine is unreachable; run it again`;
        const finishedAt = new Date();
        const { count } = await o.db.run.updateMany({
          where: { id: r.id, status: { in: ['running', 'paused'] }, workerId },
          data: { status: 'failed', finishedAt, errorCode: 'worker_lost', errorMessage: message },
        });
        if (count !== 1) continue;
        o.metrics?.runEnded({ workflowId: r.workflowId, status: 'failed', errorCode: 'worker_lost', startedAt: r.startedAt, finishedAt });
        failed++;
        o.log(`run ${r.id}: ${message}`);
        o.emit({ type: 'run:failed', runId: r.id, code: 'worker_lost', message }, workflowRoomOf(r));
      }
      missingSince.delete(workerId);
    }
    return failed;
  }

  const sweep = () => (running ??= sweepOnce().finally(() => { running = undefined; }));
  const timer = setInterval(() => {
    sweep().catch((e: Error) => o.log(`lost-worker sweep failed: ${e.message}`));
  }, Math.max(250, Math.min(2000, o.lostAfterMs / 4)));
  timer.unref();
  return {
    sweep,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
