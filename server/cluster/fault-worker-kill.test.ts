// Fault: a worker host SIGKILLed in the middle of a run (process and forked worker at once, nothing cleaned up) on
// real PostgreSQL and Redis. Its heartbeat key expires, the web server's sweep fails the run with `worker_lost`
// (not retried: the graph may be what kills workers), and the other worker goes on with every other run. Defaults
// throughout (heartbeat 1 s, key kept 5 s, WORKER_LOST_MS 10 s): the run must end within 30 s of the kill.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { projectRoot } from '../paths';
import { startWorkerProcess, testRedis, type WorkerProcess } from '../testing/cluster';
import { createTestDatabase, type TestDatabase } from '../testing/postgres';
import { fillGraph, join, recordEvents, startTestServer, tempDir, until, type TestServer } from '../testing/harness';

const redis = testRedis();
const dataDir = tempDir('fault-worker-kill');
let db: TestDatabase;
let t: TestServer;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  t = await startTestServer(dataDir, { ...redis.env, DATABASE_URL: db.url, MODELS_DIR: path.join(projectRoot, 'models') });
  for (const name of ['doomed', 'survivor']) workers.push(startWorkerProcess(redis, [t.url], { name }));
  await Promise.all(workers.map((w) => w.ready));
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await t?.close();
  await db?.drop();
  await redis.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

it('fails the killed worker\'s run with worker_lost within 30 s; the other worker runs everything else', async () => {
  const { db: prisma } = t.server.services;
  // Held before its save node, so it is mid-run on whichever worker took it when the kill comes.
  const held = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#404040', 16, 16), debug: { beforeNodes: ['save'] } });
  const s = await t.socket();
  const seen = recordEvents(s);
  await join(s, { runId: held.runId });
  const holder = await until(async () => {
    const r = await prisma.run.findUniqueOrThrow({ where: { id: held.runId } });
    return r.status === 'running' && (await prisma.nodeResult.count({ where: { runId: held.runId } })) === 1 ? r.workerId! : undefined;
  }, 'the held run to stop before its save node');
  const victim = workers.find((w) => holder.startsWith(`${w.name}-`))!;
  const other = workers.find((w) => w !== victim)!;
  const otherId = await other.ready;

  const killedAt = Date.now();
  await victim.kill();
  const rest = await Promise.all(['#aa0000', '#00aa00', '#0000aa', '#aaaa00'].map((c) => t.trpc.runs.enqueue.mutate({ graph: fillGraph(c, 16, 16) })));

  const lost = await until(async () => {
    const r = await prisma.run.findUniqueOrThrow({ where: { id: held.runId } });
    return r.status === 'running' ? undefined : r;
  }, 'the held run to be declared lost', 30_000);
  const tookMs = Date.now() - killedAt;
  expect(lost).toMatchObject({ status: 'failed', errorCode: 'worker_lost', workerId: holder });
  expect(lost.errorMessage).toContain(`worker ${holder} stopped sending heartbeats`);
  await until(() => seen.find((e) => e.name === 'run:failed'), 'run:failed on the socket');
  console.log(`[fault] worker SIGKILL → run failed worker_lost after ${tookMs} ms`);

  for (const r of rest) {
    const row = await until(async () => {
      const x = await prisma.run.findUniqueOrThrow({ where: { id: r.runId } });
      return ['queued', 'running'].includes(x.status) ? undefined : x;
    }, `run ${r.runId}`);
    expect(row).toMatchObject({ status: 'succeeded', workerId: otherId });
    expect(await prisma.artifact.count({ where: { runId: r.runId, kind: 'image' } })).toBe(1);
  }
  // Exactly one run failed; nothing was run twice.
  expect(await prisma.run.count({ where: { status: 'failed' } })).toBe(1);
  expect(await prisma.run.count()).toBe(5);
}, 90_000);
