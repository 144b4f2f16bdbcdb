// GET /metrics against the real server and worker: after 5 runs (one failing on purpose) the Prometheus text shows
// the run counts by status and code, histogram counts of 5, node timings per type, node-cache hits and misses, the
// queue depth and the worker's memory; then two prompt runs move the prompt-cache series. Who may scrape: loopback only with AUTH=none and no token; with accounts, an
// admin or the METRICS_TOKEN bearer.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSpritesCheckpoint } from '../../nodes/pack/checkpoint';
import { fillGraph, sessionClient, startTeamServer, startTestServer, tempDir, until, type TeamServer, type TestServer } from '../testing/harness';

interface Sample { name: string; labels: Record<string, string>; value: number }

/** Prometheus text format → samples (comments skipped). */
function parse(text: string): Sample[] {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(l)!;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    return { name: m[1], labels, value: Number(m[3]) };
  });
}
const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) => samples
  .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  .reduce((sum, s) => sum + s.value, 0);

/** An address of this machine that is not loopback (the test's "someone on the network"). */
function lanAddress(): string {
  const found = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
  if (!found) throw new Error('this machine has no non-loopback IPv4 address to test from');
  return found.address;
}

describe('/metrics with AUTH=none', () => {
  const dir = tempDir('metrics');
  let t: TestServer;
  beforeAll(async () => {
    await writeSpritesCheckpoint(path.join(dir, 'models')); // the built-in text encoder, for the prompt-cache runs
    t = await startTestServer(dir, { HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED: '1', WORKER_HEARTBEAT_MS: '200' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('counts 5 runs (4 succeeded, 1 failed with its code), their timings, nodes, cache use, queue and worker memory', async () => {
    const crop = fillGraph('#123456', 8, 8);
    crop.nodes.splice(1, 0, { id: 'crop', type: 'crop', typeVersion: 1, params: { x: 100, y: 0, width: 8, height: 8 } } as never);
    crop.edges = [
      { from: { node: 'fill', output: 'image' }, to: { node: 'crop', input: 'image' } },
      { from: { node: 'crop', output: 'image' }, to: { node: 'save', input: 'images' } },
    ];
    // The second red run finds the first one's node outputs in the node cache.
    const graphs = [fillGraph('#ff0000', 8, 8), fillGraph('#ff0000', 8, 8), fillGraph('#00ff00', 8, 8), fillGraph('#0000ff', 8, 8), crop];
    const runs = [];
    for (const graph of graphs) {
      const { runId } = await t.trpc.runs.enqueue.mutate({ graph });
      runs.push(await until(async () => {
        const r = await t.trpc.runs.get.query({ runId });
        return ['succeeded', 'failed'].includes(r.status) ? r : undefined;
      }, `run ${runId}`));
    }
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'failed']);
    const code = runs[4].error!.code;
    expect(code).toBe('crop_outside_image');

    const res = await until(async () => {
      const r = await fetch(`${t.url}/metrics`);
      const text = await r.text();
      // The worker's memory arrives with its next heartbeat answer.
      return text.includes('stepflow_worker_memory_bytes{') ? { r, text } : undefined;
    }, 'the worker memory series');
    expect(res.r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parse(res.text);
    expect(value(m, 'stepflow_runs_total', { status: 'succeeded', code: '' })).toBe(4);
    expect(value(m, 'stepflow_runs_total', { status: 'failed', code })).toBe(1);
    expect(value(m, 'stepflow_run_duration_seconds_count', { workflow: 'adhoc' })).toBe(5);
    expect(value(m, 'stepflow_run_duration_seconds_count', { status: 'failed' })).toBe(1);
    expect(value(m, 'stepflow_run_queue_wait_seconds_count')).toBe(5);
    expect(value(m, 'stepflow_node_duration_seconds_count', { type: 'solid_color' })).toBe(5);
    expect(value(m, 'stepflow_node_duration_seconds_count', { type: 'save_image' })).toBe(4);
    expect(value(m, 'stepflow_cache_requests_total', { cache: 'node', result: 'hit' })).toBeGreaterThanOrEqual(1);
    expect(value(m, 'stepflow_cache_requests_total', { cache: 'node', result: 'miss' })).toBeGreaterThanOrEqual(7);
    expect(m.find((s) => s.name === 'stepflow_queue_depth' && s.labels.pool === 'default')?.value).toBe(0);
    expect(value(m, 'stepflow_worker_memory_bytes', { worker: '1', kind: 'rss' })).toBeGreaterThan(10_000_000);
    expect(m.some((s) => s.name === 'stepflow_worker_memory_bytes' && s.labels.kind === 'gpu')).toBe(false);
    expect(value(m, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(res.text).toContain('# TYPE stepflow_rating_score histogram');
  });

  it('counts prompt-cache hits and misses from run results, shows them with the run and in the worker\'s health', async () => {
    /** Checkpoint + positive and negative prompts, run to the prompts ("run to here"). */
    const prompts = (positive: string) => ({
      version: 1 as const,
      nodes: [
        { id: 'ckpt', type: 'checkpoint_loader', typeVersion: 1, params: { ckpt_name: 'sprites' } },
        { id: 'pos', type: 'text_encoder', typeVersion: 1, params: { text: positive } },
        { id: 'neg', type: 'text_encoder', typeVersion: 1, params: { text: '' } },
      ],
      edges: [
        { from: { node: 'ckpt', output: 'clip' }, to: { node: 'pos', input: 'clip' } },
        { from: { node: 'ckpt', output: 'clip' }, to: { node: 'neg', input: 'clip' } },
      ],
    });
    const results = [];
    // The second spelling is another node-cache key (its text param differs) but the same tokens: a prompt-cache hit.
    // Its negative prompt is a node-cache hit, so it asks the prompt cache nothing.
    for (const text of ['a red circle', 'A red  circle']) {
      const { runId } = await t.trpc.runs.enqueue.mutate({ graph: prompts(text), targets: ['pos', 'neg'] });
      results.push(await until(async () => {
        const r = await t.trpc.runs.get.query({ runId });
        return ['succeeded', 'failed'].includes(r.status) ? r : undefined;
      }, `run ${runId}`));
    }
    expect(results.map((r) => [r.status, r.error?.message])).toEqual([['succeeded', undefined], ['succeeded', undefined]]);
    expect(results.map((r) => r.promptCache)).toEqual([{ hits: 0, misses: 2 }, { hits: 1, misses: 0 }]);
    expect(results[1].nodes.find((n) => n.id === 'pos')?.cached).toBe(false);
    expect(results[1].nodes.find((n) => n.id === 'neg')?.cached).toBe(true);

    const m = parse(await (await fetch(`${t.url}/metrics`)).text());
    expect(value(m, 'stepflow_cache_requests_total', { cache: 'prompt', result: 'hit' })).toBe(1);
    expect(value(m, 'stepflow_cache_requests_total', { cache: 'prompt', result: 'miss' })).toBe(2);

    const health = await until(async () => {
      const h = await (await fetch(`${t.url}/api/health`)).json() as { workers: { promptCache: { hits: number; misses: number; entries: number } | null }[] };
      return h.workers[0]?.promptCache?.hits === 1 ? h : undefined;
    }, 'the worker\'s prompt-cache totals in its heartbeat');
    expect(health.workers[0].promptCache).toMatchObject({ hits: 1, misses: 2, entries: 2 });
  });

  it('refuses an anonymous scrape from the network, and answers one from this machine', async () => {
    const port = new URL(t.url).port;
    const far = await fetch(`http://${lanAddress()}:${port}/metrics`);
    expect(far.status).toBe(403);
    expect(await far.json()).toEqual({ error: { code: 'metrics_refused', message: 'not allowed to read /metrics: scrape from this machine, or set METRICS_TOKEN' } });
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
  });
});

describe('/metrics with accounts and METRICS_TOKEN', () => {
  const TOKEN = 'metrics-token-0123456789abcdef';
  let t: TeamServer;
  beforeAll(async () => {
    t = await startTeamServer('metrics-team', { METRICS_TOKEN: TOKEN, WORKERS: '0' });
  }, 60_000);
  afterAll(() => t?.close());

  it('answers the token and an admin; refuses anonymous (even from this machine), a wrong token and a non-admin', async () => {
    const get = (headers: Record<string, string> = {}) => fetch(`${t.url}/metrics`, { headers });
    expect((await get({ Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await get({ cookie: t.admin.cookie() })).status).toBe(200);
    expect((await get()).status).toBe(403);
    expect((await get({ Authorization: 'Bearer not-the-metrics-token' })).status).toBe(401);
    expect((await get({ cookie: t.ann.cookie() })).status).toBe(403);
    const ann = sessionClient(t.url);
    expect((await get({ cookie: ann.cookie() })).status).toBe(403);
  });
});
