// Dynamic batching in scaled mode: a worker host's claim takes queued runs that can share the claimed run's sampling
// loop with it (same pool, same batch key), and its worker process runs them together. Real Redis, a real host.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../nodes/engine/graph';
import { projectRoot } from '../paths';
import { startWorkerProcess, testRedis } from '../testing/cluster';
import { startTestServer, tempDir, until } from '../testing/harness';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
}, 60_000);

function txt2img(seed: number): Graph {
  const g = JSON.parse(fs.readFileSync(path.join(projectRoot, 'workflows', 'txt2img.json'), 'utf8')) as Graph;
  const sampler = g.nodes.find((n) => n.type === 'sampler')!;
  sampler.params.seed = seed;
  sampler.controls = { seed: 'increment' };
  return g;
}

describe('dynamic batching in scaled mode', () => {
  it('a worker host claims a queued Run ×4 as one batch and runs it in one loop; a debugged run goes alone', async () => {
    const redis = testRedis();
    const dir = tempDir('cluster-batching');
    const t = await startTestServer(dir, { ...redis.env, MODELS_DIR: path.join(projectRoot, 'models'), MAX_BATCH: '4' });
    cleanups.push(async () => {
      await t.close();
      await redis.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    // Queued before any worker exists, so the first claim finds all of them waiting.
    const debugged = await t.trpc.runs.enqueue.mutate({ graph: txt2img(1), debug: { steps: [{ nodeId: 'sampler', step: 100 }] } });
    const x4 = await t.trpc.runs.enqueue.mutate({ graph: txt2img(10), count: 4 });
    const w = startWorkerProcess(redis, [t.url], { name: 'batcher' });
    cleanups.push(() => w.stop());
    const workerId = await w.ready;
    const db = t.server.services.db;
    const ids = [debugged.runId, ...x4.runs.map((r) => r.runId)];
    const rows = await until(async () => {
      const rs = await db.run.findMany({ where: { id: { in: ids } } });
      return rs.every((r) => r.status === 'succeeded') ? rs : undefined;
    }, 'all five runs to succeed', 90_000);
    expect(new Set(rows.map((r) => r.workerId))).toEqual(new Set([workerId]));
    const batchOf = async (runId: string) => (await db.nodeResult.findUniqueOrThrow({ where: { runId_nodeId: { runId, nodeId: 'sampler' } } })).batch;
    expect(await batchOf(debugged.runId)).toBeNull();
    for (const r of x4.runs) expect(JSON.parse((await batchOf(r.runId))!)).toEqual({ size: 4 });
    // Four different seeds, four different images.
    const images = await db.artifact.findMany({ where: { runId: { in: x4.runs.map((r) => r.runId) }, kind: 'image' } });
    expect(new Set(images.map((a) => a.sha256)).size).toBe(4);
  }, 120_000);
});
