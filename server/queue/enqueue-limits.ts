// What a user may queue: batch size (MAX_BATCH_COUNT), waiting runs (MAX_QUEUED_RUNS_PER_USER) and priority
// (only admins jump the queue). Checked in RunQueue.enqueue, the one path of tRPC and the HTTP API.
import { TRPCError } from '@trpc/server';
import type { Db } from '../db';
import { limitError } from '../limits/limit-error';

export interface EnqueueLimits {
  maxQueuedRunsPerUser: number;
  maxBatchCount: number;
}

/** Above this a run goes ahead of everyone's ordinary runs: admins only. */
export const NORMAL_PRIORITY = 0;

/** Cheap checks of the request itself, before any database work. */
export function checkEnqueueRequest(req: { count?: number; priority?: number; admin?: boolean }, limits: EnqueueLimits): void {
  const count = req.count ?? 1;
  if (count > limits.maxBatchCount) {
    throw limitError('BAD_REQUEST', 'MAX_BATCH_COUNT', limits.maxBatchCount,
      `MAX_BATCH_COUNT (${limits.maxBatchCount}): a batch of ${count} runs is too large; queue at most ${limits.maxBatchCount} at once`);
  }
  if ((req.priority ?? NORMAL_PRIORITY) > NORMAL_PRIORITY && !req.admin) {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: `priority ${req.priority} would put this run ahead of other people's; only admins may set priority above ${NORMAL_PRIORITY} (lower values are fine)`,
    });
  }
}

/** The user's waiting runs (what MAX_QUEUED_RUNS_PER_USER counts). */
export async function queuedRunsOf(db: Db, userId: string | null): Promise<number> {
  return db.run.count({ where: { status: 'queued', userId } });
}

/** Refuses a batch that would take the user's waiting runs (`waiting`) past MAX_QUEUED_RUNS_PER_USER. */
export function requireQueuedQuota(waiting: number, count: number, limits: EnqueueLimits): void {
  const max = limits.maxQueuedRunsPerUser;
  if (waiting + count <= max) return;
  const asked = count === 1 ? '' : ` and asked for ${count} more`;
  throw limitError('TOO_MANY_REQUESTS', 'MAX_QUEUED_RUNS_PER_USER', max,
    `MAX_QUEUED_RUNS_PER_USER (${max}) reached: you have ${waiting} run${waiting === 1 ? '' : 's'} waiting${asked}; ` +
    'wait for some to finish or cancel queued runs, then try again');
}

/**
 * Runs tasks one after another per key (a user): the quota's count and the inserts it allows happen together,
 * so parallel requests cannot each see room for themselves (group-commit.ts writes a user's waiting requests as one task).
 */
export class PerKeySerialiser {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.then(() => undefined, () => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
