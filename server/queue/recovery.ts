// Embedded mode's start-up recovery after a crash or kill: a run left running or paused goes back to the queue once
// when it had stored nothing (no artifacts), so a killed server loses no work; one that had stored output, or was
// already put back once, becomes interrupted (running it again could duplicate outputs or loop on a run that kills
// the server). Scaled mode never does this: other servers' workers may be running those runs (cluster/lost-workers.ts).
import type { Db } from '../db';

export async function recoverLeftRuns(db: Db): Promise<{ interrupted: number; requeued: number }> {
  const left = await db.run.findMany({
    where: { status: { in: ['running', 'paused'] } },
    select: { id: true, requeues: true, _count: { select: { artifacts: true } } },
  });
  const again = left.filter((r) => r.requeues === 0 && r._count.artifacts === 0).map((r) => r.id);
  const requeued = again.length
    ? (await db.$transaction([
      db.nodeResult.deleteMany({ where: { runId: { in: again } } }),
      db.run.updateMany({
        where: { id: { in: again } },
        data: { status: 'queued', requeues: { increment: 1 }, workerId: null, startedAt: null },
      }),
    ]))[1].count
    : 0;
  const interrupt = (requeues: number | { gte: number }, errorMessage: string) => db.run.updateMany({
    where: { status: { in: ['running', 'paused'] }, requeues },
    data: { status: 'interrupted', finishedAt: new Date(), errorCode: 'interrupted', errorMessage },
  });
  const interrupted = (await interrupt(0, 'the server restarted while this run was running; run it again')).count
    + (await interrupt({ gte: 1 }, 'the server restarted while this run was running, again after it had been put back in the queue once; run it again')).count;
  return { interrupted, requeued };
}
