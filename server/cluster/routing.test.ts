// Routing in scaled mode: pools (a run waits for a worker of its pool; positions count within the pool) and model
// affinity (a worker's claim takes a queued run with its models warm before the head of the line, within
// AFFINITY_WINDOW, unless the head has waited AFFINITY_MAX_WAIT). Real Redis, real worker processes, SQLite.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Graph } from '../../nodes/engine/graph';
import { projectRoot } from '../paths';
import { modelKeyOf } from '../queue/model-key';
import { WorkerApiClient } from './api-client';
import { CLUSTER_TOKEN, startWorkerProcess, testRedis, type WorkerProcess } from '../testing/cluster';
import { fillGraph, startTestServer, tempDir, until, type TestServer } from '../testing/harness';

const MODELS_DIR = path.join(projectRoot, 'models');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
}, 60_000);
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function scaledServer(env: Record<string, string> = {}): Promise<TestServer> {
  const redis = testRedis();
  const dir = tempDir('routing');
  const t = await startTestServer(dir, { ...redis.env, MODELS_DIR, ...env });
  cleanups.push(async () => {
    await t.close();
    await redis.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return Object.assign(t, { redis });
}

function worker(t: TestServer, name: string, pool?: string, args?: string[]): WorkerProcess {
  const w = startWorkerProcess((t as TestServer & { redis: ReturnType<typeof testRedis> }).redis, [t.url], { name, pool, args });
  cleanups.push(() => w.stop());
  return w;
}

const row = (t: TestServer, runId: string) => t.server.services.db.run.findUniqueOrThrow({ where: { id: runId } });
const ended = (t: TestServer, runId: string) => until(async () => {
  const r = await row(t, runId);
  return ['queued', 'running'].includes(r.status) ? undefined : r;
}, `run ${runId} to end`);

describe('pools', () => {
  it('runs a pool\'s runs only on its workers, named by the call, the HTTP API or the workflow; positions count per pool', async () => {
    const t = await scaledServer();
    const full1 = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#100000', 8, 8), pool: 'full' });
    const full2 = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#200000', 8, 8), pool: 'full' });
    // A workflow naming its pool in meta.pool.
    const light1 = await t.trpc.runs.enqueue.mutate({ graph: { ...fillGraph('#000010', 8, 8), meta: { pool: 'light' } } });
    const wf = await t.trpc.workflows.create.mutate({ name: 'light one', graph: fillGraph('#000020', 8, 8) });
    const api = await fetch(`${t.url}/api/workflows/${wf.id}/runs?pool=light`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(api.status).toBe(202);
    const light2 = (await api.json()) as { runId: string; position: number };
    expect([full1.position, full2.position, light1.position, light2.position]).toEqual([1, 2, 1, 2]);
    const bad = await fetch(`${t.url}/api/workflows/${wf.id}/runs?pool=${encodeURIComponent('no pool!')}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_pool');

    const light = worker(t, 'lightweight', 'light', ['--device', '1']);
    const lightId = await light.ready;
    for (const r of [light1, light2]) expect(await ended(t, r.runId)).toMatchObject({ status: 'succeeded', workerId: lightId, pool: 'light' });
    // It advertises itself (admin health; AUTH=none's one user is the admin): pool, provider, the device it was given.
    const health = await until(async () => {
      const h = (await (await fetch(`${t.url}/api/health`)).json()) as { workers: Record<string, unknown>[] };
      return h.workers.find((w) => w.id === lightId && w.state === 'idle');
    }, 'the light worker\'s heartbeat');
    expect(health).toMatchObject({ name: 'lightweight', pool: 'light', provider: 'cpu', device: 1, runId: null, warm: [], modelLoads: 0 });
    expect(health.freeMemoryBytes).toBeGreaterThan(0);
    // Nobody serves "full" yet: its runs wait, still first and second in their line.
    expect((await row(t, full1.runId)).status).toBe('queued');
    expect(t.server.services.queue.positionOf(full2.runId)).toBe(2);

    const full = worker(t, 'heavy', 'full');
    const fullId = await full.ready;
    for (const r of [full1, full2]) expect(await ended(t, r.runId)).toMatchObject({ status: 'succeeded', workerId: fullId, pool: 'full' });
  }, 90_000);
});

describe('model affinity in the claim', () => {
  const txt2img = (ckpt: 'sprites' | 'tiny-sd', seed: number): Graph => {
    const g = JSON.parse(fs.readFileSync(path.join(projectRoot, 'workflows', 'txt2img.json'), 'utf8')) as Graph;
    for (const n of g.nodes) {
      if (n.id === 'checkpoint') n.params.ckpt_name = ckpt;
      if (n.id === 'sampler') n.params.seed = seed;
      if (n.id === 'latent' && ckpt === 'tiny-sd') Object.assign(n.params, { width: 64, height: 64 });
    }
    return g;
  };

  async function line(t: TestServer) {
    const a1 = await t.trpc.runs.enqueue.mutate({ graph: txt2img('sprites', 1) });
    const b1 = await t.trpc.runs.enqueue.mutate({ graph: txt2img('tiny-sd', 2) });
    const a2 = await t.trpc.runs.enqueue.mutate({ graph: txt2img('sprites', 3) });
    const b2 = await t.trpc.runs.enqueue.mutate({ graph: txt2img('tiny-sd', 4) });
    return { a1, b1, a2, b2, keyA: modelKeyOf(txt2img('sprites', 0))!, keyB: modelKeyOf(txt2img('tiny-sd', 0))! };
  }
  const client = (t: TestServer) => new WorkerApiClient([new URL(t.url)], CLUSTER_TOKEN, () => undefined);

  it('gives a worker the first run with its models warm, else the job\'s own run; each run once', async () => {
    // One run per claim: batch-mates (batching.test.ts) would take the rest of the line with the first claim.
    const t = await scaledServer({ MAX_BATCH: '1' });
    const { a1, b1, a2, b2, keyA, keyB } = await line(t);
    expect((await row(t, b1.runId)).modelKey).toBe(keyB);
    const api = client(t);
    // Warm for B, handed the job of a1: takes b1 (first B in line).
    expect((await api.claim(a1.runId, { workerId: 'wb', pool: 'default', warm: [keyB] }))?.runId).toBe(b1.runId);
    // Warm for A, handed the job of b1 (already taken): takes a1.
    expect((await api.claim(b1.runId, { workerId: 'wa', pool: 'default', warm: [keyA] }))?.runId).toBe(a1.runId);
    // Cold worker: the job's own run.
    expect((await api.claim(b2.runId, { workerId: 'cold', pool: 'default', warm: [] }))?.runId).toBe(b2.runId);
    // Nothing warm left for B: the job's own run, then the head; then nothing.
    expect((await api.claim(a2.runId, { workerId: 'wb', pool: 'default', warm: [keyB] }))?.runId).toBe(a2.runId);
    expect(await api.claim(a2.runId, { workerId: 'wa', pool: 'default', warm: [keyA] })).toBeNull();
    const rows = await Promise.all([a1, b1, a2, b2].map((r) => row(t, r.runId)));
    expect(rows.map((r) => [r.status, r.workerId])).toEqual([['running', 'wa'], ['running', 'wb'], ['running', 'wb'], ['running', 'cold']]);
  });

  it('is plain first-in-first-out with AFFINITY_WINDOW=0, and takes an overdue head first', async () => {
    const fifo = await scaledServer({ AFFINITY_WINDOW: '0', MAX_BATCH: '1' });
    const l1 = await line(fifo);
    expect((await client(fifo).claim(l1.a1.runId, { workerId: 'wb', pool: 'default', warm: [l1.keyB] }))?.runId).toBe(l1.a1.runId);

    const patient = await scaledServer({ AFFINITY_MAX_WAIT: '0', MAX_BATCH: '1' });
    const l2 = await line(patient);
    await new Promise((r) => setTimeout(r, 5));
    expect((await client(patient).claim(l2.b2.runId, { workerId: 'wb', pool: 'default', warm: [l2.keyB] }))?.runId).toBe(l2.a1.runId);
  });
});
