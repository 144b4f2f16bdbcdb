import fs from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { fillGraph, join, recordEvents, startTestServer, tempDir, until, type TestServer } from '../testing/harness';
import { startWorkerProcess, testRedis, type WorkerProcess } from '../testing/cluster';

const redis = testRedis();
const dir = tempDir('smoke');
let t: TestServer | undefined;
let w: WorkerProcess | undefined;
const logs: string[] = [];
afterAll(async () => {
  await w?.stop();
  await t?.close();
  await redis.drop();
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(logs.join('\n'));
});

it('runs a graph on a worker process', async () => {
  t = await startTestServer(dir, redis.env, (m) => logs.push(m));
  w = startWorkerProcess(redis, [t.url], { name: 'w1' });
  console.log('host', await w.ready);
  const s = await t.socket();
  const seen = recordEvents(s);
  const { runId } = await t.trpc.runs.enqueue.mutate({ graph: fillGraph() });
  await join(s, { runId });
  const row = await until(async () => {
    const r = await t!.server.services.db.run.findUnique({ where: { id: runId } });
    return r && !['queued', 'running'].includes(r.status) ? r : undefined;
  }, 'end', 30_000);
  console.log(row, seen.map((e) => e.name), w.output());
  expect(row.status).toBe('succeeded');
}, 60_000);
