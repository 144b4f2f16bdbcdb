// Integration: WORKERS=2 runs two graphs at once, one per worker process.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slowGraph, startTestServer, tempDir, until, type TestServer } from '../testing/harness';

let t: TestServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('pool');
  t = await startTestServer(dataDir, { WORKERS: '2' });
});

afterAll(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('two workers', () => {
  it('runs two queued graphs in parallel on different worker processes', async () => {
    await until(() => t.server.pool.list().every((w) => w.state === 'idle') || undefined, 'both workers ready', 90_000);
    const pids = t.server.pool.list().map((w) => w.pid);
    expect(new Set(pids).size).toBe(2);
    const a = await t.trpc.runs.enqueue.mutate({ graph: slowGraph() });
    const b = await t.trpc.runs.enqueue.mutate({ graph: slowGraph() });
    const both = await until(async () => {
      const rows = await t.server.services.db.run.findMany({ where: { id: { in: [a.runId, b.runId] } } });
      return rows.every((r) => r.status === 'running') ? rows : undefined;
    }, 'both runs running at once');
    expect(both.map((r) => r.workerId).sort()).toEqual(['1', '2']);
    const health = await (await fetch(`${t.server.url}/api/health`)).json();
    expect(health.workers.map((w: { state: string }) => w.state)).toEqual(['busy', 'busy']);
    await until(async () => {
      const rows = await t.server.services.db.run.findMany({ where: { id: { in: [a.runId, b.runId] } } });
      return rows.every((r) => r.status === 'succeeded') || undefined;
    }, 'both runs to succeed', 90_000);
  });
});
