// The web server's side of BullMQ (scaled mode): a queued Run row becomes a job carrying its id, in the queue of
// its pool; cancel and debugger commands go out on the control channel. Jobs are only a delivery mechanism:
// Postgres holds the truth, so a job lost with Redis is made again from the row (reconcile), and a job delivered
// twice is refused by the claim (worker-api.ts).
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { QueuedRun, RemoteDispatch } from '../queue/queue';
import { publishControl } from './control';
import type { ClusterNames } from './redis';

/** BullMQ runs lower numbers first (1 … 2^21); StepFlow's priority is higher-first around 0. */
export function bullPriority(priority: number): number {
  return Math.min(2_097_151, Math.max(1, 1_000_000 - priority));
}

export interface RunJobData {
  runId: string;
}

export function createRemoteDispatch(redis: Redis, names: ClusterNames, log: (m: string) => void): RemoteDispatch & { close(): Promise<void> } {
  const queues = new Map<string, Queue<RunJobData>>();
  const queueOf = (pool: string) => {
    let q = queues.get(pool);
    if (!q) {
      q = new Queue<RunJobData>(names.queue(pool), { connection: redis, prefix: names.bullPrefix });
      q.on('error', (e) => log(`queue ${pool}: ${e.message}`));
      queues.set(pool, q);
    }
    return q;
  };
  const add = async (run: QueuedRun) => {
    // jobId = run id: adding a job that exists (waiting or active) is a no-op, which makes reconcile safe.
    await queueOf(run.pool).add('run', { runId: run.id }, {
      jobId: run.id, priority: bullPriority(run.priority), removeOnComplete: true, removeOnFail: true,
    });
  };
  return {
    add,
    async remove(run) {
      await queueOf(run.pool).remove(run.id).catch((e: Error) => log(`run ${run.id}: its job could not be removed (${e.message}); a worker claiming it will be refused`));
    },
    async control(runId, msg) {
      await publishControl(redis, names.control, { runId, msg });
    },
    async paused(runIds) {
      const flags = await redis.mget(runIds.map((id) => names.paused(id)));
      return new Set(runIds.filter((_, i) => flags[i] !== null));
    },
    async reconcile(queued) {
      for (const r of queued) await add(r);
      return queued.length;
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}
