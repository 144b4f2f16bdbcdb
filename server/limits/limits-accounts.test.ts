// Limits with accounts: priority above normal is for admins, the queued-runs quota is per user. No local worker
// (WORKERS=0), so runs stay queued and are counted exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillGraph, trpcRejection, type SessionClient, startTeamServer, type TeamServer } from '../testing/harness';

let t: TeamServer;
let root: SessionClient;
let ann: SessionClient;
let bob: SessionClient;

beforeAll(async () => {
  t = await startTeamServer('limits-accounts', { MAX_QUEUED_RUNS_PER_USER: '2', WORKERS: '0', WORKER_TOKEN: 'limits-accounts-worker-token' });
  ({ ann, bob, admin: root } = t);
}, 60_000);

afterAll(() => t?.close());

const graph = () => fillGraph('#204060', 8, 8);

describe('limits with accounts', () => {
  it('priority above normal: FORBIDDEN for a user (naming priority), allowed below normal and for admins', async () => {
    const e = await trpcRejection(ann.trpc.runs.enqueue.mutate({ graph: graph(), priority: 10 }));
    expect([e.data?.code, e.message]).toEqual([
      'FORBIDDEN', 'priority 10 would put this run ahead of other people\'s; only admins may set priority above 0 (lower values are fine)',
    ]);
    const low = await ann.trpc.runs.enqueue.mutate({ graph: graph(), priority: -5 });
    const high = await root.trpc.runs.enqueue.mutate({ graph: graph(), priority: 10 });
    const rows = await t.server.services.db.run.findMany({ where: { id: { in: [low.runId, high.runId] } }, select: { id: true, priority: true } });
    expect(Object.fromEntries(rows.map((r) => [r.id, r.priority]))).toEqual({ [low.runId]: -5, [high.runId]: 10 });
    await ann.trpc.runs.cancelQueued.mutate({});
  });

  it('the queued-runs quota counts each user\'s own runs only', async () => {
    await ann.trpc.runs.enqueue.mutate({ graph: graph(), count: 2 });
    const e = await trpcRejection(ann.trpc.runs.enqueue.mutate({ graph: graph() }));
    expect([e.data?.code, e.message]).toEqual([
      'TOO_MANY_REQUESTS', 'MAX_QUEUED_RUNS_PER_USER (2) reached: you have 2 runs waiting; wait for some to finish or cancel queued runs, then try again',
    ]);
    // Bob's queue is his own; the admin's earlier run does not count against either.
    expect((await bob.trpc.runs.enqueue.mutate({ graph: graph(), count: 2 })).runs).toHaveLength(2);
    await ann.trpc.runs.cancelQueued.mutate({});
    expect((await ann.trpc.runs.enqueue.mutate({ graph: graph() })).runId).toEqual(expect.any(String));
  });
});
