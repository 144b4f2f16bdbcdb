// Model affinity (scaled mode): 2 worker processes × 2 checkpoints, 40 runs alternating between them, once with
// plain FIFO (AFFINITY_WINDOW=0) and once with affinity (the default window), side by side on the same machine.
// Each worker's model budget holds one checkpoint, as a GPU holds one large checkpoint, so taking a run of the
// other checkpoint means loading it. The figure is the number of ONNX sessions the workers loaded.
import fs from 'node:fs';
import path from 'node:path';
import type { Graph } from '../nodes/engine/graph';
import { createServer } from '../server/app';
import { loadEnv } from '../server/env';
import { projectRoot } from '../server/paths';
import { startWorkerProcess, testRedis } from '../server/testing/cluster';
import { tempDir } from '../server/testing/harness';

export interface AffinityResult {
  mode: string;
  runs: number;
  loads: number;
  perWorker: number[];
  seconds: number;
}

function txt2img(ckpt: 'sprites' | 'tiny-sd', seed: number): Graph {
  const g = JSON.parse(fs.readFileSync(path.join(projectRoot, 'workflows', 'txt2img.json'), 'utf8')) as Graph;
  for (const n of g.nodes) {
    if (n.id === 'checkpoint') n.params.ckpt_name = ckpt;
    // Unequal run lengths, as real checkpoints have: without affinity the faster worker keeps switching.
    if (n.id === 'sampler') Object.assign(n.params, { seed, steps: ckpt === 'sprites' ? 12 : 3 });
    if (n.id === 'latent' && ckpt === 'tiny-sd') Object.assign(n.params, { width: 64, height: 64 });
  }
  return g;
}

async function measure(mode: string, window: number, runs: number): Promise<AffinityResult> {
  const redis = testRedis();
  const dir = tempDir('bench-affinity');
  const env = loadEnv({
    ...redis.env, DATA_DIR: dir, MODELS_DIR: path.join(projectRoot, 'models'), PORT: '0', NODE_ENV: 'test', AFFINITY_WINDOW: String(window),
  });
  const server = await createServer({ env, next: false, log: () => undefined });
  // One checkpoint fits (sprites ≈ 12 MB, tiny-sd ≈ 5 MB of weights), not both; no node-output cache.
  const workerEnv = { MODEL_BUDGET_BYTES: String(14 * 1024 * 1024), CACHE_BYTES: '0' };
  const workers = ['b1', 'b2'].map((name) => startWorkerProcess(redis, [server.url], { name, env: workerEnv }));
  try {
    await Promise.all(workers.map((w) => w.ready));
    const { queue, db } = server.services;
    const started = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < runs; i++) ids.push((await queue.enqueue({ graph: txt2img(i % 2 ? 'tiny-sd' : 'sprites', i) })).runId);
    for (;;) {
      const open = await db.run.count({ where: { id: { in: ids }, status: { in: ['queued', 'running'] } } });
      if (!open) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const failed = await db.run.count({ where: { id: { in: ids }, status: { not: 'succeeded' } } });
    if (failed) throw new Error(`${failed} of ${runs} runs did not succeed (${mode})`);
    await new Promise((r) => setTimeout(r, 1500)); // one more heartbeat with the last run's loads
    const health = (await (await fetch(`${server.url}/api/health`)).json()) as { workers: { modelLoads: number }[] };
    const perWorker = health.workers.map((w) => w.modelLoads).sort((a, b) => a - b);
    return { mode, runs, loads: perWorker.reduce((a, b) => a + b, 0), perWorker, seconds };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await server.close();
    await redis.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchAffinity(runs = 40): Promise<AffinityResult[]> {
  return [await measure('FIFO (AFFINITY_WINDOW=0)', 0, runs), await measure('affinity (AFFINITY_WINDOW=8)', 8, runs)];
}
