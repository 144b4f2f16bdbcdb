// Integration: runs survive a server restart: queued ones are dispatched; a running one that had stored nothing is
// queued again once, one with stored output (or already put back once) becomes interrupted.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../prisma/migrate';
import { openDb } from '../db';
import { migrationsDir } from '../paths';
import { fillGraph, slowGraph, startTestServer, tempDir, until, type TestServer } from '../testing/harness';

const dataDir = tempDir('recovery');
const dbPath = path.join(dataDir, 'stepflow.db');
let t: TestServer | undefined;

afterAll(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('server restart', () => {
  it('dispatches runs left queued, re-queues a running run that stored nothing, interrupts the others', async () => {
    applyMigrations(dbPath, migrationsDir);
    const db = await openDb(dbPath);
    const q1 = await db.run.create({ data: { graph: JSON.stringify(fillGraph('#ff0000', 8, 8)), queuedAt: new Date(Date.now() - 3000) } });
    const q2 = await db.run.create({ data: { graph: JSON.stringify(fillGraph('#0000ff', 8, 8)), queuedAt: new Date(Date.now() - 2000) } });
    const running = (queuedAt: number, requeues = 0) => db.run.create({
      data: {
        graph: JSON.stringify(fillGraph('#00ff00', 8, 8)), status: 'running', workerId: '1', requeues,
        queuedAt: new Date(Date.now() - queuedAt), startedAt: new Date(Date.now() - 1000),
      },
    });
    // Nothing stored yet (a finished node's result is not output): back in the queue, oldest of all, so first.
    const fresh = await running(4000);
    await db.nodeResult.create({ data: { runId: fresh.id, nodeId: 'fill', type: 'solid_color', status: 'succeeded', ms: 1 } });
    // Stored output: running it again would duplicate it.
    const withOutput = await running(1500);
    await db.artifact.create({
      data: { runId: withOutput.id, nodeId: 'save', kind: 'image', filename: 'out_000.png', mime: 'image/png', sha256: 'x', size: 1, width: 8, height: 8, path: 'artifacts/x' },
    });
    // Already put back once: a run that takes the server down each time must not loop.
    const again = await running(1200, 1);
    await db.$disconnect();

    t = await startTestServer(dataDir);
    const ids = [fresh.id, q1.id, q2.id];
    const rows = await until(async () => {
      const all = await t!.server.services.db.run.findMany({ where: { id: { in: ids } }, include: { artifacts: true, nodeResults: true } });
      return all.every((r) => r.status === 'succeeded') ? all : undefined;
    }, 'the queued and re-queued runs to finish');
    expect(rows.map((r) => r.artifacts.length)).toEqual([1, 1, 1]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    // Oldest first.
    const started = ids.map((id) => byId.get(id)!.startedAt!.getTime());
    expect([...started].sort((a, b) => a - b)).toEqual(started);
    expect(byId.get(fresh.id)).toMatchObject({ requeues: 1, errorCode: null, finishedAt: expect.any(Date) });
    expect(byId.get(fresh.id)!.nodeResults.map((n) => `${n.nodeId}:${n.status}`).sort()).toEqual(['fill:succeeded', 'save:succeeded']);
    expect(byId.get(q1.id)!.requeues).toBe(0);

    const db2 = t.server.services.db;
    expect(await db2.run.findUniqueOrThrow({ where: { id: withOutput.id } })).toMatchObject({
      status: 'interrupted', errorCode: 'interrupted', requeues: 0,
      errorMessage: 'the server restarted while this run was running; run it again', finishedAt: expect.any(Date),
    });
    expect(await db2.run.findUniqueOrThrow({ where: { id: again.id } })).toMatchObject({
      status: 'interrupted', errorCode: 'interrupted', requeues: 1,
      errorMessage: 'the server restarted while this run was running, again after it had been put back in the queue once; run it again',
    });
  });

  it('marks a run interrupted when the server shuts down under it, and does not run it again', async () => {
    const { runId } = await t!.trpc.runs.enqueue.mutate({ graph: slowGraph() });
    await until(async () => (await t!.trpc.runs.get.query({ runId })).nodes.some((n) => n.id === 'fill') || undefined, 'the first node', 90_000);
    const pid = t!.server.pool.list()[0].pid!;
    await t!.close();
    t = undefined;
    expect(() => process.kill(pid, 0)).toThrow(); // the worker process is gone

    const db = await openDb(dbPath);
    const row = await db.run.findUniqueOrThrow({ where: { id: runId } });
    await db.$disconnect();
    expect(row).toMatchObject({ status: 'interrupted', errorMessage: 'the server shut down while this run was running; run it again' });

    t = await startTestServer(dataDir);
    expect((await t.trpc.runs.get.query({ runId })).status).toBe('interrupted');
  });
});
