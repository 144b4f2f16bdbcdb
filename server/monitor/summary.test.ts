// monitor.summary agrees with the database: 5 runs (one failing on purpose), ratings through tRPC and the HTTP API;
// percentiles as computed from the rows, success rate 4/5, MOS the mean of the scores given (a changed rating
// counts once), per-workflow MOS with its 95 % interval, node-cache use and the worker. Plus the pure helpers.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillGraph, startTeamServer, startTestServer, tempDir, until, type TeamServer, type TestServer } from '../testing/harness';
import { meanWithCi, percentile } from './summary';

describe('percentile and meanWithCi', () => {
  it('take the nearest rank, and give the normal 95 % half-width from the sample deviation', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect([percentile(xs, 50), percentile(xs, 90), percentile(xs, 99), percentile(xs, 0)]).toEqual([5, 9, 10, 1]);
    expect(percentile([], 50)).toBeNull();
    expect(meanWithCi([4, 2])).toEqual({ mean: 3, count: 2, ci95: 1.96 });
    expect(meanWithCi([5])).toEqual({ mean: 5, count: 1, ci95: null });
    expect(meanWithCi([])).toEqual({ mean: null, count: 0, ci95: null });
  });
});

describe('monitor.summary (AUTH=none)', () => {
  const dir = tempDir('monitor');
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dir);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('agrees with the database after 5 runs and 5 ratings', async () => {
    const wf = await t.trpc.workflows.create.mutate({ name: 'rated', graph: fillGraph('#884422', 8, 8) });
    const crop = fillGraph('#123456', 8, 8);
    crop.nodes.splice(1, 0, { id: 'crop', type: 'crop', typeVersion: 1, params: { x: 100, y: 0, width: 8, height: 8 } } as never);
    crop.edges = [
      { from: { node: 'fill', output: 'image' }, to: { node: 'crop', input: 'image' } },
      { from: { node: 'crop', output: 'image' }, to: { node: 'save', input: 'images' } },
    ];
    const ids: string[] = [];
    ids.push((await t.trpc.runs.enqueue.mutate({ workflowId: wf.id })).runId);
    ids.push((await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#00ff00', 8, 8), workflowId: wf.id })).runId);
    ids.push((await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#0000ff', 8, 8) })).runId);
    ids.push((await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#0000ff', 8, 8) })).runId);
    ids.push((await t.trpc.runs.enqueue.mutate({ graph: crop })).runId);
    for (const id of ids) {
      await until(async () => (['succeeded', 'failed'].includes((await t.trpc.runs.get.query({ runId: id })).status) ? true : undefined), `run ${id}`);
    }

    // The workflow's two images: 4 and 2; an ad-hoc one 5, changed to 1; another ad-hoc one 3 over HTTP.
    expect(await t.trpc.runs.rate.mutate({ runId: ids[0], score: 4 })).toMatchObject({ score: 4, mean: 4, count: 1 });
    await t.trpc.runs.rate.mutate({ runId: ids[1], score: 2 });
    await t.trpc.runs.rate.mutate({ runId: ids[2], score: 5 });
    expect(await t.trpc.runs.rate.mutate({ runId: ids[2], score: 1 })).toMatchObject({ score: 1, mean: 1, count: 1 });
    const http = await fetch(`${t.url}/api/runs/${ids[3]}/rating`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ score: 3 }) });
    expect(http.status).toBe(200);
    expect(await http.json()).toMatchObject({ runId: ids[3], score: 3, count: 1 });
    const bad = await fetch(`${t.url}/api/runs/${ids[3]}/rating`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ score: 6 }) });
    expect([bad.status, (await bad.json()).error.code]).toEqual([400, 'invalid_score']);
    await expect(t.trpc.runs.rate.mutate({ runId: ids[4], score: 3 })).rejects.toThrow(`run "${ids[4]}" has no output image to rate`);

    const s = await t.trpc.monitor.summary.query({ window: '1h' });
    const rows = await t.server.services.db.run.findMany({ where: { id: { in: ids } } });
    const seconds = rows.map((r) => (r.finishedAt!.getTime() - r.startedAt!.getTime()) / 1000).sort((a, b) => a - b);
    expect(s.runs).toBe(5);
    expect(s.successRate).toBe(4 / 5);
    expect(s.failuresByCode).toEqual({ crop_outside_image: 1 });
    expect(s.latency).toEqual({ p50: seconds[2], p90: seconds[4], p99: seconds[4] });
    expect(s.latency.p50!).toBeLessThanOrEqual(s.latency.p90!);
    expect(s.latency.p90!).toBeLessThanOrEqual(s.latency.p99!);
    expect(s.mos).toEqual({ mean: (4 + 2 + 1 + 3) / 4, count: 4 });
    // Most rated first, then by name: sd of [1, 3] and of [4, 2] is √2, so each half-width is 1.96 · √2 / √2.
    expect(s.mosByWorkflow).toEqual([
      { workflowId: null, name: 'ad-hoc graphs', mean: 2, count: 2, ci95: 1.96 },
      { workflowId: wf.id, name: 'rated', mean: 3, count: 2, ci95: 1.96 },
    ]);
    // The second blue run found the first one's outputs in the node cache.
    expect(s.cache.node.hits).toBeGreaterThanOrEqual(1);
    expect(s.cache.node.misses).toBeGreaterThanOrEqual(7);
    expect(s.workers).toEqual([expect.objectContaining({ id: '1', provider: 'cpu' })]);
    // The rating histogram moved with every rating given (a changed one counts as given twice).
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toContain(`stepflow_rating_score_count{workflow="${wf.id}"} 2`);
    expect(metrics).toContain('stepflow_rating_score_count{workflow="adhoc"} 3');
  });
});

describe('monitor.summary and ratings with accounts', () => {
  let t: TeamServer;
  beforeAll(async () => {
    t = await startTeamServer('monitor-team', { WORKERS: '0' });
  }, 60_000);
  afterAll(() => t?.close());

  it('is for admins only; a rating needs someone who may view the run', async () => {
    expect((await t.admin.trpc.monitor.summary.query({ window: '7d' })).runs).toBe(0);
    await expect(t.ann.trpc.monitor.summary.query({ window: '7d' })).rejects.toThrow('only admins see the monitoring');
    const { runId } = await t.ann.trpc.runs.enqueue.mutate({ graph: fillGraph() });
    await expect(t.bob.trpc.runs.rate.mutate({ runId, score: 5 })).rejects.toThrow(/no run/);
  });
});
