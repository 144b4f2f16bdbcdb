// Scaled mode end to end on the machine's real PostgreSQL and Redis: two web servers (one database, one shared
// DATA_DIR, rooms joined through the Socket.io Redis adapter) and two `npm run worker` processes that reach them
// only through Redis and the worker API. Runs enqueued on either server all succeed on either worker; a browser
// on server B watches, steps and resumes a run enqueued on server A and sees every preview and the end.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../paths';
import { startWorkerProcess, testRedis, type WorkerProcess } from '../testing/cluster';
import { createTestDatabase, type TestDatabase } from '../testing/postgres';
import { fillGraph, join, recordEvents, startTestServer, tempDir, until, type ReceivedEvent, type TestServer } from '../testing/harness';

const redis = testRedis();
const dataDir = tempDir('scale-out');
let db: TestDatabase;
let a: TestServer;
let b: TestServer;
const workers: WorkerProcess[] = [];
const logs: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const env = { ...redis.env, DATABASE_URL: db.url, PREVIEW_FPS: '120', MODELS_DIR: path.join(projectRoot, 'models') };
  a = await startTestServer(dataDir, env, (m) => logs.push(`[A] ${m}`));
  b = await startTestServer(dataDir, env, (m) => logs.push(`[B] ${m}`));
  for (const name of ['w1', 'w2']) workers.push(startWorkerProcess(redis, [a.url, b.url], { name }));
  await Promise.all(workers.map((w) => w.ready));
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await b?.close();
  await a?.close();
  await db?.drop();
  await redis.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

const runRow = (runId: string) => a.server.services.db.run.findUniqueOrThrow({ where: { id: runId } });
const ended = (runId: string, timeoutMs = 60_000) => until(async () => {
  const r = await runRow(runId);
  return ['queued', 'running', 'paused'].includes(r.status) ? undefined : r;
}, `run ${runId} to end`, timeoutMs);

function txt2img(steps: number) {
  const graph = JSON.parse(fs.readFileSync(path.join(projectRoot, 'workflows', 'txt2img.json'), 'utf8'));
  graph.nodes.find((n: { id: string }) => n.id === 'sampler').params.steps = steps;
  return graph;
}

describe('two web servers and two workers on PostgreSQL and Redis', () => {
  it('runs 20 runs enqueued across both servers on both workers, each with its own output', async () => {
    const colors = Array.from({ length: 20 }, (_, i) => `#${(i * 12).toString(16).padStart(2, '0')}80${(255 - i * 12).toString(16).padStart(2, '0')}`);
    // Large enough that both workers are busy at once (each run resizes a 1024² image).
    const graph = (color: string) => {
      const g = fillGraph(color, 1024, 1024);
      g.nodes.splice(1, 0, { id: 'small', type: 'resize', typeVersion: 1, params: { width: 16, height: 16, kernel: 'lanczos3' } } as never);
      g.edges = [
        { from: { node: 'fill', output: 'image' }, to: { node: 'small', input: 'image' } },
        { from: { node: 'small', output: 'image' }, to: { node: 'save', input: 'images' } },
      ];
      return g;
    };
    const runIds = await Promise.all(colors.map(async (c, i) => (await (i % 2 ? b : a).trpc.runs.enqueue.mutate({ graph: graph(c) })).runId));
    const rows = await Promise.all(runIds.map((id) => ended(id, 120_000)));
    expect(rows.map((r) => r.status)).toEqual(rows.map(() => 'succeeded'));
    const hosts = await Promise.all(workers.map((w) => w.ready));
    expect(new Set(rows.map((r) => r.workerId))).toEqual(new Set(hosts));
    // Metrics are per process and summed by Prometheus: the two servers together recorded the 20 runs and their
    // starts; each shows both workers' memory (from their heartbeats in Redis).
    const scrape = async (t: TestServer) => (await (await fetch(`${t.url}/metrics`)).text()).split('\n');
    const total = (lines: string[], prefix: string) => lines.filter((l) => l.startsWith(prefix)).reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
    const [ma, mb] = await Promise.all([scrape(a), scrape(b)]);
    expect(total(ma, 'stepflow_runs_total{status="succeeded"') + total(mb, 'stepflow_runs_total{status="succeeded"')).toBe(20);
    expect(total(ma, 'stepflow_run_queue_wait_seconds_count') + total(mb, 'stepflow_run_queue_wait_seconds_count')).toBe(20);
    // (The first memory report comes with a worker's first heartbeat answer, 5 s after it started.)
    await until(async () => {
      const lines = await scrape(b);
      return hosts.every((h) => total(lines, `stepflow_worker_memory_bytes{worker="${h}",kind="rss"}`) > 10_000_000) || undefined;
    }, 'both workers\' memory on B', 30_000);
    // One output per run, the run's own colour, served by the server that did not enqueue it.
    for (const [i, id] of runIds.entries()) {
      const arts = await a.server.services.db.artifact.findMany({ where: { runId: id, kind: 'image' } });
      expect(arts).toHaveLength(1);
      if (i % 5) continue;
      const res = await fetch(`${(i % 2 ? a : b).url}/api/artifacts/${arts[0].id}`);
      expect(res.status).toBe(200);
      const { data } = await sharp(Buffer.from(await res.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
      const want = [1, 3, 5].map((o) => parseInt(colors[i].slice(o, o + 2), 16));
      expect([data[0], data[1], data[2]]).toEqual(want);
    }
  }, 180_000);

  it('lets a browser on B watch, step and resume a run enqueued on A, with every preview and the end', async () => {
    const onB = await b.socket();
    const onA = await a.socket();
    const seenB = recordEvents(onB);
    const seenA = recordEvents(onA);
    const steps = 4;
    const { runId } = await a.trpc.runs.enqueue.mutate({ graph: txt2img(steps), debug: { everyStep: true } });
    await join(onB, { runId });
    await join(onA, { runId });
    const paused = (n: number) => until(() => seenB.filter((e) => e.name === 'run:paused').length >= n || undefined, `pause ${n} on B`, 60_000);
    // Step through the first steps from B, then clear the breakpoints and let it run to the end.
    await paused(1);
    await b.trpc.runs.debug.mutate({ runId, command: 'step' });
    await paused(2);
    await b.trpc.runs.debug.mutate({ runId, command: 'step' });
    await paused(3);
    expect((await runRow(runId)).status).toBe('running');
    // A browser opening the run now (on either server) is told it is paused, as in embedded mode.
    const late = await a.socket();
    expect(await join(late, { runId })).toMatchObject({ ok: true, run: { status: 'paused' } });
    // Live breakpoint change from B (no more "every step"), then resume: the last step runs through.
    await b.trpc.runs.breakpoints.mutate({ runId, breakpoints: {} });
    await b.trpc.runs.debug.mutate({ runId, command: 'resume' });
    const row = await ended(runId);
    expect(row.status).toBe('succeeded');
    const finished = await until(() => seenB.find((e) => e.name === 'run:finished'), 'run:finished on B');
    await until(() => seenA.find((e) => e.name === 'run:finished'), 'run:finished on A');

    const previews = (seen: ReceivedEvent[]) => seen.filter((e) => e.name === 'node:preview').map((e) => (e.payload as { step: number }).step);
    // Every step's preview reached B (a paused step's frame is never throttled away; PREVIEW_FPS=120 keeps the rest).
    expect(previews(seenB)).toEqual([0, 1, 2, 3]);
    expect(previews(seenA)).toEqual(previews(seenB));
    const first = seenB.find((e) => e.name === 'node:preview')!.payload as { image: Uint8Array; mime: string };
    expect(first.mime).toBe('image/png');
    expect((await sharp(Buffer.from(first.image)).metadata()).format).toBe('png');
    // The same order of events on both servers' sockets: one room across the cluster.
    const order = (seen: ReceivedEvent[]) => seen.map((e) => e.name).filter((n) => n !== 'run:position' && n !== 'run:queued');
    expect(order(seenB)).toEqual(order(seenA));
    expect(order(seenB).filter((n) => n === 'run:paused')).toHaveLength(3);
    expect(order(seenB).at(-1)).toBe('run:finished');
    expect(await join(late, { runId })).toMatchObject({ ok: true, run: { status: 'succeeded' } });
    const artifacts = (finished.payload as { artifacts: { url: string }[] }).artifacts;
    expect(artifacts).toHaveLength(1);
    const res = await fetch(`${b.url}${artifacts[0].url}`);
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'image/png']);
    // Every step was stored for scrubbing, whichever server recorded it (shared DATA_DIR), and is drawn by either.
    const stored = await b.trpc.runs.steps.query({ runId, nodeId: 'sampler' });
    expect(stored.map((s) => [s.step, s.total, s.stats.length])).toEqual([0, 1, 2, 3].map((s) => [s, 4, 4]));
    const frame = await fetch(`${a.url}${stored[3].image.url}`);
    expect([frame.status, frame.headers.get('content-type')]).toEqual([200, 'image/png']);
  }, 120_000);

  it('cancels from B a run that a worker holds for A', async () => {
    const { runId } = await a.trpc.runs.enqueue.mutate({ graph: txt2img(4), debug: { beforeNodes: ['sampler'] } });
    const onB = await b.socket();
    const seen = recordEvents(onB);
    await join(onB, { runId });
    // Paused before the sampler: the loader and encoders are done.
    await until(async () => ((await a.server.services.db.nodeResult.count({ where: { runId } })) >= 4 ? true : undefined), 'the run to reach the sampler');
    expect(await b.trpc.runs.cancel.mutate({ runId })).toMatchObject({ status: 'cancelling' });
    expect(await ended(runId)).toMatchObject({ status: 'cancelled', errorCode: 'cancelled' });
    await until(() => seen.find((e) => e.name === 'run:cancelled'), 'run:cancelled on B');
  }, 60_000);
});
