// A worker host asked to stop (SIGTERM, as a rolling update does) drains: it takes no new run, finishes the one in
// flight, and exits 0; the queued run waits for the next worker. A second SIGTERM would cancel the run instead.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { projectRoot } from '../paths';
import { startWorkerProcess, testRedis, type WorkerProcess } from '../testing/cluster';
import { fillGraph, startTestServer, tempDir, until, type TestServer } from '../testing/harness';

const redis = testRedis();
const dir = tempDir('worker-drain');
let t: TestServer | undefined;
const workers: WorkerProcess[] = [];

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await t?.close();
  await redis.drop();
  fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

it('finishes the run in flight, takes no other, and exits 0 on SIGTERM', async () => {
  t = await startTestServer(dir, { ...redis.env, MODELS_DIR: path.join(projectRoot, 'models') });
  const first = startWorkerProcess(redis, [t.url], { name: 'leaving' });
  workers.push(first);
  const leavingId = await first.ready;
  const row = (runId: string) => t!.server.services.db.run.findUniqueOrThrow({ where: { id: runId } });

  const held = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#505050', 8, 8), debug: { beforeNodes: ['save'] } });
  await until(async () => ((await t!.server.services.db.nodeResult.count({ where: { runId: held.runId } })) === 1 ? true : undefined), 'the run to pause');
  const waiting = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#606060', 8, 8) });

  first.child.kill('SIGTERM');
  await until(() => (first.output().includes('taking no more runs') ? true : undefined), 'the worker to start draining');
  await t.trpc.runs.debug.mutate({ runId: held.runId, command: 'resume' });
  expect(await first.exited).toBe(0);
  expect(await row(held.runId)).toMatchObject({ status: 'succeeded', workerId: leavingId });
  expect((await row(waiting.runId)).status).toBe('queued');

  const next = startWorkerProcess(redis, [t.url], { name: 'arriving' });
  workers.push(next);
  const nextId = await next.ready;
  await until(async () => ((await row(waiting.runId)).status === 'succeeded' ? true : undefined), 'the waiting run on the next worker');
  expect((await row(waiting.runId)).workerId).toBe(nextId);
}, 90_000);
