// Chaos: the worker process SIGKILLed mid-run, ten times. Every run ends failed with worker_crashed naming the
// node that was running (no run stuck, no row lost), watchers get the end, the pool restarts the worker each time
// and a follow-up run succeeds.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillGraph, join, recordEvents, slowGraph, startTestServer, tempDir, until, type TestServer } from '../testing/harness';

const dataDir = tempDir('worker-kill');
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer(dataDir, { WORKERS: '1' });
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const KILLS = 10;

describe('worker SIGKILL mid-run', () => {
  it(`×${KILLS}: every run ends worker_crashed with consistent rows, then a run succeeds`, async () => {
    const t0 = performance.now();
    const db = t.server.services.db;
    const watcher = await t.socket();
    const events = recordEvents(watcher);
    const runIds: string[] = [];
    const pids: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      const pid = await until(() => t.server.pool.list().find((w) => w.state === 'idle')?.pid, 'an idle worker');
      pids.push(pid);
      const { runId } = await t.trpc.runs.enqueue.mutate({ graph: slowGraph() });
      runIds.push(runId);
      expect(await join(watcher, { runId })).toMatchObject({ ok: true });
      // "fill" is recorded and "big" (seconds of resizing) is executing: the kill lands inside a node, deterministically.
      await until(async () => (await db.nodeResult.count({ where: { runId, nodeId: 'fill' } })) > 0 || undefined, 'node "big" to be running', 90_000);
      process.kill(pid, 'SIGKILL');
      const row = await until(async () => {
        const r = await db.run.findUniqueOrThrow({ where: { id: runId } });
        return r.status === 'queued' || r.status === 'running' ? undefined : r;
      }, `run ${i + 1} to end`);
      expect(row).toMatchObject({ status: 'failed', errorCode: 'worker_crashed', errorNodeId: 'big' });
      expect(row.errorMessage).toBe(`worker 1 exited with signal SIGKILL while running node big (resize)`);
    }

    const rows = await db.run.findMany({ where: { id: { in: runIds } }, include: { nodeResults: true, artifacts: true } });
    expect(rows).toHaveLength(KILLS);
    for (const r of rows) {
      expect(r.finishedAt).not.toBeNull();
      expect(r.artifacts).toEqual([]);
      // The finished node kept its result, the running one failed, nothing later was recorded.
      expect(r.nodeResults.map((n) => `${n.nodeId}:${n.status}`).sort()).toEqual(['big:failed', 'fill:succeeded']);
    }
    // Each watcher saw exactly one end per run, and it was the failure.
    const isEnd = (e: (typeof events)[number]) => e.name === 'run:failed' || e.name === 'run:finished' || e.name === 'run:cancelled';
    // The row is written before the event goes out: wait for the last one to arrive.
    await until(() => events.filter(isEnd).length >= KILLS || undefined, 'every run end to reach the watcher');
    const ends = events.filter(isEnd);
    expect(ends.map((e) => [e.payload.runId, e.name, 'code' in e.payload ? e.payload.code : undefined]))
      .toEqual(runIds.map((id) => [id, 'run:failed', 'worker_crashed']));
    expect(new Set(pids).size).toBe(KILLS); // a fresh process each time

    const { runId } = await t.trpc.runs.enqueue.mutate({ graph: fillGraph() });
    const after = await until(async () => {
      const r = await db.run.findUniqueOrThrow({ where: { id: runId }, include: { artifacts: true } });
      return r.status === 'succeeded' ? r : undefined;
    }, 'the follow-up run');
    expect(after.artifacts.map((a) => [a.kind, a.width, a.height])).toEqual([['image', 64, 32]]);
    expect(await db.run.count({ where: { status: { in: ['queued', 'running'] } } })).toBe(0);
    console.log(`worker kill: ${KILLS}/${KILLS} runs ended worker_crashed, ${KILLS} worker restarts, follow-up run succeeded, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }, 300_000);
});
