// Dynamic batching through the real server (embedded mode: SQLite, one forked worker, the built-in sprites model):
// 16 txt2img runs one after another vs the same 16 queued at once (one "Run ×16", and 16 separate enqueues), and
// per-run latency (queued → finished) when runs arrive in bursts of 1, 4 and 16.
import fs from 'node:fs';
import path from 'node:path';
import type { Graph } from '../nodes/engine/graph';
import { projectRoot } from '../server/paths';
import { startTestServer, tempDir, type TestServer } from '../server/testing/harness';

export interface ThroughputResult {
  mode: string;
  runs: number;
  seconds: number;
  runsPerSecond: number;
  /** Batch sizes the samplers reported (how the runs were grouped). */
  batches: number[];
}

export interface LatencyResult {
  concurrency: number;
  p50: number;
  p90: number;
}

const RUNS = 16;

/** Read once: the clients' own file reads are not the server's work (they shared its process and measured time). */
let workflow: Graph | undefined;

function txt2img(seed: number, prompt = 'red circle on blue background'): Graph {
  workflow ??= JSON.parse(fs.readFileSync(path.join(projectRoot, 'workflows', 'txt2img.json'), 'utf8')) as Graph;
  const g = structuredClone(workflow);
  for (const n of g.nodes) {
    if (n.id === 'sampler') {
      n.params.seed = seed;
      // A "Run ×16" gives each run its own seed (seed, seed + 1, ...), as the editor's increment control does.
      n.controls = { seed: 'increment' };
    }
    if (n.id === 'positive') n.params.text = prompt;
  }
  return g;
}

const PROMPTS = ['red circle on blue background', 'green square on white background', 'yellow triangle on black background', 'blue circle on gray background'];

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

/**
 * Run ends as the server records them: its metrics hear of each run when its final row is written. Not a socket in
 * the runs' rooms (that would make them watched), nor polling the database (which took the web process's CPU from
 * the runs it measures).
 */
function endWatcher(t: TestServer) {
  const endedRuns = new Map<string, { status: string; errorMessage: string | null }>();
  const waiters = new Set<() => void>();
  const metrics = t.server.services.metrics;
  const runEnded = metrics.runEnded.bind(metrics);
  metrics.runEnded = (run) => {
    runEnded(run);
    // The recorder passes the whole Run row.
    const row = run as typeof run & { id: string; errorMessage: string | null };
    endedRuns.set(row.id, row);
    for (const w of waiters) w();
  };
  return async (ids: string[]): Promise<void> => {
    for (;;) {
      const failed = ids.map((id) => [id, endedRuns.get(id)] as const).find(([, r]) => r && r.status !== 'succeeded');
      if (failed) throw new Error(`run ${failed[0]} ${failed[1]!.status}: ${failed[1]!.errorMessage}`);
      if (ids.every((id) => endedRuns.has(id))) return;
      await new Promise<void>((resolve) => {
        const w = () => { waiters.delete(w); resolve(); };
        waiters.add(w);
      });
    }
  };
}

async function session(maxBatch: number, env: Record<string, string> = {}) {
  const dir = tempDir('bench-throughput');
  // No node-output cache, as with 16 different users: every run encodes its prompts and decodes its image.
  const t = await startTestServer(dir, { MODELS_DIR: path.join(projectRoot, 'models'), MAX_BATCH: String(maxBatch), BATCH_WINDOW_MS: '20', CACHE_BYTES: '0', ...env });
  const wf = await t.trpc.workflows.create.mutate({ name: 'bench', graph: txt2img(0) });
  let seed = 1000;
  const enqueue = async (count = 1) => {
    const s = seed;
    seed += count;
    const r = await t.trpc.runs.enqueue.mutate({ workflowId: wf.id, graph: txt2img(s, PROMPTS[s % PROMPTS.length]), count });
    return r.runs.map((x) => x.runId);
  };
  const close = async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { t, enqueue, close, ended: endWatcher(t) };
}

async function batchSizes(t: TestServer, ids: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const runId of ids) {
    const r = await t.trpc.runs.get.query({ runId });
    out.push(r.nodes.find((n) => n.id === 'sampler')?.batch?.size ?? 1);
  }
  return out;
}

async function timed(s: Awaited<ReturnType<typeof session>>, mode: string, submit: () => Promise<string[]>): Promise<ThroughputResult> {
  const t0 = performance.now();
  const ids = await submit();
  await s.ended(ids);
  const seconds = (performance.now() - t0) / 1000;
  return { mode, runs: ids.length, seconds, runsPerSecond: ids.length / seconds, batches: await batchSizes(s.t, ids) };
}

async function sequential(s: Awaited<ReturnType<typeof session>>, mode: string): Promise<ThroughputResult> {
  return timed(s, mode, async () => {
    const ids: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const [id] = await s.enqueue();
      await s.ended([id]);
      ids.push(id);
    }
    return ids;
  });
}

async function warmUp(s: Awaited<ReturnType<typeof session>>): Promise<void> {
  await s.ended(await s.enqueue(2));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median of `rounds` measurements taken in turn with the other modes (a shared machine's load hits all alike). */
function medianRow(rs: ThroughputResult[]): ThroughputResult {
  const seconds = median(rs.map((r) => r.seconds));
  return { ...rs[0], seconds, runsPerSecond: rs[0].runs / seconds, batches: rs.flatMap((r) => r.batches) };
}

/**
 * Rows (medians of interleaved rounds on one server with batching on): 16 runs one after another (none waits the
 * window: no other enqueue is under way, queue/arrivals.ts), one "Run ×16", 16 separate enqueues; then, for reference,
 * one after another on a server with MAX_BATCH=1. Ratios are taken against the first row.
 */
export async function benchThroughput(rounds = 3): Promise<{ rows: ThroughputResult[]; latency: LatencyResult[] }> {
  const s = await session(16);
  const measured: ThroughputResult[][] = [[], [], []];
  let latency: LatencyResult[];
  try {
    await warmUp(s);
    for (let i = 0; i < rounds; i++) {
      measured[0].push(await sequential(s, '16 one after another'));
      measured[1].push(await timed(s, 'one "Run ×16" (count: 16)', () => s.enqueue(RUNS)));
      measured[2].push(await timed(s, '16 separate enqueues at once', async () => (await Promise.all(Array.from({ length: RUNS }, () => s.enqueue()))).flat()));
    }
    latency = [];
    for (const c of [1, 4, 16]) {
      const ms: number[] = [];
      for (let burst = 0; burst < RUNS / c; burst++) {
        const ids = (await Promise.all(Array.from({ length: c }, () => s.enqueue()))).flat();
        await s.ended(ids);
        for (const runId of ids) {
          const r = await s.t.trpc.runs.get.query({ runId });
          ms.push(new Date(r.finishedAt!).getTime() - new Date(r.queuedAt).getTime());
        }
      }
      latency.push({ concurrency: c, p50: percentile(ms, 0.5), p90: percentile(ms, 0.9) });
    }
  } finally {
    await s.close();
  }
  // References: no batching at all, with ONNX Runtime's threads sleeping (the default) and spinning (its own default).
  const reference: ThroughputResult[] = [];
  for (const [mode, env] of [['16 one after another, MAX_BATCH=1', {}], ['16 one after another, MAX_BATCH=1, ORT_SPIN_WAIT=1', { ORT_SPIN_WAIT: '1' }]] as const) {
    const plain = await session(1, env);
    const rs: ThroughputResult[] = [];
    try {
      await warmUp(plain);
      for (let i = 0; i < rounds; i++) rs.push(await sequential(plain, mode));
    } finally {
      await plain.close();
    }
    reference.push(medianRow(rs));
  }
  return { rows: [...measured.map(medianRow), ...reference], latency };
}
