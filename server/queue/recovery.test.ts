// Integration: runs survive a server restart: queued ones are dispatched, running ones become interrupted.
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
  it('dispatches runs left queued and marks the run left running as interrupted', async () => {
    applyMigrations(dbPath, migrationsDir);
    const db = await openDb(dbPath);
    const q1 = await db.run.create({ data: { graph: JSON.stringify(fillGraph('#ff0000', 8, 8)), queuedAt: new Date(Date.now() - 3000) } });
    const q2 = await db.run.create({ data: { graph: JSON.stringify(fillGraph('#0000ff', 8, 8)), queuedAt: new Date(Date.now() - 2000) } });
    const r1 = await db.run.create({
      data: { graph: JSON.stringify(fillGraph()), status: 'running', workerId: '1', startedAt: new Date(Date.now() - 1000) },
    });
    await db.$disconnect();

    t = await startTestServer(dataDir);
    const rows = await until(async () => {
      const all = await t!.server.services.db.run.findMany({ where: { id: { in: [q1.id, q2.id] } }, include: { artifacts: true } });
      return all.every((r) => r.status === 'succeeded') ? all : undefined;
    }, 'the queued runs to finish');
    expect(rows.map((r) => r.artifacts.length)).toEqual([1, 1]);
    // Oldest first.
    const [a, b] = [rows.find((r) => r.id === q1.id)!, rows.find((r) => r.id === q2.id)!];
    expect(a.startedAt!.getTime()).toBeLessThan(b.startedAt!.getTime());

    const interrupted = await t.server.services.db.run.findUniqueOrThrow({ where: { id: r1.id } });
    expect(interrupted).toMatchObject({
      status: 'interrupted', errorCode: 'interrupted',
      errorMessage: 'the server restarted while this run was running; run it again',
    });
    expect(interrupted.finishedAt).not.toBeNull();
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
