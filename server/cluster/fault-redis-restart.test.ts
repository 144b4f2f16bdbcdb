// Fault: Redis restarted mid-run (SIGKILL, then started again empty: it keeps nothing on disk). The web server and
// the worker host reconnect by themselves; the run in flight finishes (its records go through the API, not Redis);
// the queued runs' jobs, lost with Redis, are made again from their PostgreSQL rows; nothing is lost and nothing
// runs twice. The test has its own redis-server, so the machine's shared one is never restarted.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { projectRoot } from '../paths';
import { startOwnRedis, startWorkerProcess, testRedis, type OwnRedis, type TestRedis, type WorkerProcess } from '../testing/cluster';
import { createTestDatabase, type TestDatabase } from '../testing/postgres';
import { fillGraph, startTestServer, tempDir, until, type TestServer } from '../testing/harness';

const dataDir = tempDir('fault-redis-restart');
let own: OwnRedis;
let redis: TestRedis;
let db: TestDatabase;
let t: TestServer;
let worker: WorkerProcess;
const logs: string[] = [];

beforeAll(async () => {
  own = await startOwnRedis();
  redis = testRedis(own.url);
  db = await createTestDatabase();
  t = await startTestServer(dataDir, { ...redis.env, DATABASE_URL: db.url, MODELS_DIR: path.join(projectRoot, 'models') }, (m) => logs.push(m));
  worker = startWorkerProcess(redis, [t.url], { name: 'w' });
  await worker.ready;
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await t?.close();
  await own?.kill();
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

it('loses no run and runs none twice when Redis restarts while one runs and others wait', async () => {
  const { db: prisma } = t.server.services;
  // The first run pauses before its save node: it is running on the worker when Redis goes away.
  const first = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#123456', 16, 16), debug: { beforeNodes: ['save'] } });
  await until(async () => ((await prisma.nodeResult.count({ where: { runId: first.runId } })) === 1 ? true : undefined), 'the first run to pause');
  const waiting = await Promise.all(['#aa0000', '#00aa00', '#0000aa', '#aaaa00', '#00aaaa'].map((c) => t.trpc.runs.enqueue.mutate({ graph: fillGraph(c, 16, 16) })));
  expect(await prisma.run.count({ where: { status: 'queued' } })).toBe(5);

  await own.kill();
  await new Promise((r) => setTimeout(r, 1500));
  await own.start();

  // The paused run still takes debugger commands once everybody has reconnected (the control channel is pub/sub).
  await until(async () => {
    // Until it has ended, refused ("not running on a worker") only once it has.
    await t.trpc.runs.debug.mutate({ runId: first.runId, command: 'resume' }).catch(() => undefined);
    const r = await prisma.run.findUniqueOrThrow({ where: { id: first.runId } });
    return r.status === 'running' ? undefined : r;
  }, 'the first run to resume and end', 60_000);

  const all = [first, ...waiting];
  for (const r of all) {
    const row = await until(async () => {
      const x = await prisma.run.findUniqueOrThrow({ where: { id: r.runId } });
      return ['queued', 'running'].includes(x.status) ? undefined : x;
    }, `run ${r.runId} to end`, 60_000);
    expect(row.status).toBe('succeeded');
    // Once each: one output, one result per node, no second claim.
    expect(await prisma.artifact.count({ where: { runId: r.runId, kind: 'image' } })).toBe(1);
    expect(await prisma.nodeResult.count({ where: { runId: r.runId } })).toBe(2);
  }
  expect(await prisma.run.count()).toBe(6);
  // The web server noticed the outage and came back (the log says so), and the worker kept working for it.
  expect(logs.some((l) => l.includes('connected again'))).toBe(true);
  expect(worker.output()).toMatch(/connected again/);
}, 120_000);
