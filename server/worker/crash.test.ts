// Integration: a worker killed mid-run fails that run with a clear reason, is restarted, and serves the next run.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillGraph, join, recordEvents, slowGraph, startTestServer, tempDir, until, type TestServer } from '../testing/harness';

let t: TestServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('crash');
  t = await startTestServer(dataDir);
});

afterAll(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('a worker that dies', () => {
  it('fails its run as worker_crashed, restarts, and runs the next graph', async () => {
    const sock = await t.socket();
    const seen = recordEvents(sock);
    const wf = await t.trpc.workflows.create.mutate({ name: 'slow', graph: slowGraph() });
    await join(sock, { workflowId: wf.id });
    const { runId } = await t.trpc.runs.enqueue.mutate({ workflowId: wf.id });
    await until(() => seen.some((e) => e.name === 'node:started' && e.payload.runId === runId && e.payload.nodeId === 'big') || undefined, 'node "big" to start', 90_000);

    const worker = t.server.pool.list()[0];
    const oldPid = worker.pid!;
    expect(worker.state).toBe('busy');
    process.kill(oldPid, 'SIGKILL');

    await until(() => seen.some((e) => e.name === 'run:failed' && e.payload.runId === runId) || undefined, 'run:failed');
    const failed = seen.find((e) => e.name === 'run:failed' && e.payload.runId === runId)!.payload;
    expect(failed).toEqual({
      runId, nodeId: 'big', code: 'worker_crashed',
      message: 'worker 1 exited with signal SIGKILL while running node big (resize)',
    });
    const row = await t.server.services.db.run.findUniqueOrThrow({ where: { id: runId }, include: { nodeResults: true } });
    expect(row).toMatchObject({ status: 'failed', errorCode: 'worker_crashed', errorNodeId: 'big' });
    expect(row.finishedAt).not.toBeNull();
    const byNode = Object.fromEntries(row.nodeResults.map((n) => [n.nodeId, n.status]));
    expect(byNode).toEqual({ fill: 'succeeded', big: 'failed' });

    await until(() => (worker.state === 'idle' && worker.pid !== oldPid) || undefined, 'the worker to restart');
    const next = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#0000ff', 16, 16) });
    const done = await until(async () => {
      const r = await t.trpc.runs.get.query({ runId: next.runId });
      return ['succeeded', 'failed'].includes(r.status) ? r : undefined;
    }, 'the next run');
    expect(done.status).toBe('succeeded');
    expect(done.artifacts[0]).toMatchObject({ width: 16, height: 16, mime: 'image/png' });
  });

  it('cancels a running run through its worker and a queued run at once', async () => {
    const sock = await t.socket();
    const seen = recordEvents(sock);
    const wf = await t.trpc.workflows.create.mutate({ name: 'to cancel', graph: slowGraph() });
    await join(sock, { workflowId: wf.id });
    const running = await t.trpc.runs.enqueue.mutate({ workflowId: wf.id });
    const queued = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#123456', 8, 8) });
    await until(() => seen.some((e) => e.name === 'node:started' && e.payload.nodeId === 'big') || undefined, 'node "big" to start', 90_000);

    expect(await t.trpc.runs.cancel.mutate({ runId: queued.runId })).toEqual({ runId: queued.runId, status: 'cancelled' });
    expect(await t.trpc.runs.cancel.mutate({ runId: running.runId })).toEqual({ runId: running.runId, status: 'cancelling' });
    await until(() => seen.some((e) => e.name === 'run:cancelled' && e.payload.runId === running.runId) || undefined, 'run:cancelled');

    const rows = await t.server.services.db.run.findMany({ where: { id: { in: [running.runId, queued.runId] } } });
    const status = Object.fromEntries(rows.map((r) => [r.id, [r.status, r.errorCode]]));
    expect(status).toEqual({ [running.runId]: ['cancelled', 'cancelled'], [queued.runId]: ['cancelled', 'cancelled'] });
    // The executor stops at its next check (inside "big" or before "small"); "save" never ran.
    const nodes = await t.server.services.db.nodeResult.findMany({ where: { runId: running.runId } });
    const byNode = Object.fromEntries(nodes.map((n) => [n.nodeId, n.status]));
    expect(byNode).toMatchObject({ fill: 'succeeded', save: 'skipped' });
    expect([byNode.big, byNode.small]).toContain('cancelled');
    expect(await t.server.services.db.artifact.count({ where: { runId: running.runId } })).toBe(0);
    // The worker survived the cancel (no restart needed).
    expect(t.server.pool.list()[0].state).toBe('idle');
  });
});
