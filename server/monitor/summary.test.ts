// monitor.summary agrees with the database: 5 runs (one failing on purpose), ratings through tRPC and the HTTP API;
// percentiles as computed from the rows, success rate 4/5, MOS the mean of the scores given (a changed rating
// counts once), per-workflow MOS with its 95 % interval, node-cache use and the worker; each rater's own scores read
// back (runs.get, runs.ratings, runs.list). Then every number of the summary against rows inserted at known times
// (time series buckets, queue wait, node types, MOS per version and checkpoint, lowest-rated images). Plus the pure helpers.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../../prisma/migrate-database';
import { openDatabase, type Db } from '../db';
import { fillGraph, startTeamServer, startTestServer, tempDir, until, type TeamServer, type TestServer } from '../testing/harness';
import { checkpointsOf } from './checkpoints';
import { bucketRuns, type EndedRunRow } from './run-stats';
import { meanWithCi, monitorSummary, percentile } from './summary';

describe('percentile and meanWithCi', () => {
  it('take the nearest rank, and give the normal 95 % half-width from the sample deviation', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect([percentile(xs, 50), percentile(xs, 90), percentile(xs, 99), percentile(xs, 0)]).toEqual([5, 9, 10, 1]);
    expect(percentile([], 50)).toBeNull();
    expect(meanWithCi([4, 2])).toEqual({ mean: 3, count: 2, ci95: 1.96 });
    expect(meanWithCi([5])).toEqual({ mean: 5, count: 1, ci95: null });
    expect(meanWithCi([])).toEqual({ mean: null, count: 0, ci95: null });
  });

  it('checkpointsOf names each loaded checkpoint once, sorted; bypassed loaders and unreadable graphs name none', () => {
    const graph = { nodes: [
      { id: 'a', type: 'checkpoint_loader', params: { ckpt_name: 'tiny-sd' } },
      { id: 'b', type: 'checkpoint_loader', params: { ckpt_name: 'sprites' } },
      { id: 'c', type: 'checkpoint_loader', params: { ckpt_name: 'sprites' } },
      { id: 'd', type: 'checkpoint_loader', mode: 'bypass', params: { ckpt_name: 'skipped' } },
      { id: 'e', type: 'lora_loader', params: { ckpt_name: 'not-a-checkpoint' } },
    ] };
    expect(checkpointsOf(JSON.stringify(graph))).toEqual(['sprites', 'tiny-sd']);
    expect(checkpointsOf('{not json')).toEqual([]);
    expect(checkpointsOf('{"version":1}')).toEqual([]);
  });

  it("bucketRuns puts each run in the bucket its end falls in, the window's last instant in the last bucket", () => {
    const since = new Date('2030-01-01T00:00:00Z');
    const row = (endMs: number, status: string, seconds: number | null, errorCode: string | null = null): EndedRunRow => ({
      id: String(endMs), status, errorCode, workflowId: null, workflowName: null, workerId: null,
      startedAt: seconds === null ? null : new Date(since.getTime() + endMs - seconds * 1000),
      finishedAt: new Date(since.getTime() + endMs), promptCacheHits: null, promptCacheMisses: null,
    });
    const buckets = bucketRuns([row(0, 'succeeded', 3), row(999, 'succeeded', 1), row(1000, 'failed', 2, 'oom'), row(4000, 'failed', null)], since, 4000, 4);
    expect(buckets).toEqual([
      { start: '2030-01-01T00:00:00.000Z', runs: 2, succeeded: 2, failed: 0, failedByCode: {}, p50: 1, p90: 3, p99: 3 },
      { start: '2030-01-01T00:00:01.000Z', runs: 1, succeeded: 0, failed: 1, failedByCode: { oom: 1 }, p50: 2, p90: 2, p99: 2 },
      { start: '2030-01-01T00:00:02.000Z', runs: 0, succeeded: 0, failed: 0, failedByCode: {}, p50: null, p90: null, p99: null },
      { start: '2030-01-01T00:00:03.000Z', runs: 1, succeeded: 0, failed: 1, failedByCode: { unknown: 1 }, p50: null, p90: null, p99: null },
    ]);
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
    // The same graph again once the first has ended: queued together they would run as one batch, both uncached.
    await until(async () => ((await t.trpc.runs.get.query({ runId: ids[2] })).status === 'succeeded' ? true : undefined), 'the first blue run');
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

    // Each image shows its rater's own score again after a reload: runs.get, runs.ratings and the runs list.
    const first = await t.trpc.runs.get.query({ runId: ids[0] });
    const firstImage = first.artifacts.find((a) => a.kind === 'image')!;
    expect(firstImage.myRating).toBe(4);
    expect((await t.trpc.runs.get.query({ runId: ids[2] })).artifacts.filter((a) => a.kind === 'image').map((a) => a.myRating)).toEqual([1]);
    expect(await t.trpc.runs.ratings.query({ runId: ids[0] })).toEqual({ canRate: true, ratings: [{ artifactId: firstImage.id, score: 4 }] });
    expect(await t.trpc.runs.ratings.query({ runId: ids[4] })).toEqual({ canRate: true, ratings: [] });
    const listed = (await t.trpc.runs.list.query({ workflowId: wf.id })).items;
    expect(listed.map((r) => [r.id, r.myRating])).toEqual([[ids[1], 2], [ids[0], 4]]);
    expect(listed[1].outputId).toBe(firstImage.id);

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
    // Saved version 1 ran once (enqueued by id); the other run of the workflow ran the canvas graph (no version).
    expect(s.mosByVersion).toEqual([
      { workflowId: null, name: 'ad-hoc graphs', version: null, mean: 2, count: 2, ci95: 1.96 },
      { workflowId: wf.id, name: 'rated', version: 1, mean: 4, count: 1, ci95: null },
      { workflowId: wf.id, name: 'rated', version: null, mean: 2, count: 1, ci95: null },
    ]);
    expect(s.mosByCheckpoint).toEqual([]);
    expect(s.lowestRated.map((i) => [i.runId, i.mean])).toEqual([[ids[2], 1], [ids[1], 2], [ids[3], 3], [ids[0], 4]]);
    expect(s.series).toHaveLength(24);
    expect(s.series.reduce((a, b) => a + b.runs, 0)).toBe(5);
    expect(s.series.reduce((a, b) => a + b.failed, 0)).toBe(1);
    expect(s.queueWait.runs).toBe(5);
    expect(s.recentFailures).toEqual([expect.objectContaining({ runId: ids[4], code: 'crop_outside_image', nodeId: 'crop' })]);
    expect(s.workerRuns).toEqual([{ workerId: '1', runs: 5, succeeded: 4, failed: 1 }]);
    // No text encoder ran; nobody watched, so no preview was encoded.
    expect(s.cache.prompt).toEqual({ hits: 0, misses: 0, hitRate: null });
    expect(s.previews).toEqual({ sent: 0, dropped: 0 });
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
    await expect(t.bob.trpc.runs.ratings.query({ runId })).rejects.toThrow(/no run/);
    expect(await t.ann.trpc.runs.ratings.query({ runId })).toEqual({ canRate: true, ratings: [] });
  });
});

describe('monitorSummary against rows inserted at known times', () => {
  const dir = tempDir('monitor-rows');
  let db: Db;
  beforeAll(async () => {
    const url = `file:${path.join(dir, 'stepflow.db')}`;
    await migrateDatabase(url);
    db = await openDatabase(url);
  });
  afterAll(async () => {
    await db?.$disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const NOW = new Date('2030-06-01T12:00:00Z');
  const at = (minutesBefore: number, plusSeconds = 0) => new Date(NOW.getTime() - minutesBefore * 60_000 + plusSeconds * 1000);
  const graphWith = (...checkpoints: string[]) => JSON.stringify({
    version: 1, nodes: checkpoints.map((c, i) => ({ id: `ck${i}`, type: 'checkpoint_loader', typeVersion: 1, params: { ckpt_name: c } })), edges: [],
  });
  interface RunRow {
    workflowId?: string; version?: number; status: string; code?: string; wait?: number;
    /** Minutes before NOW it started (null: never started, ended `endMin` before NOW). */
    startMin: number | null; seconds?: number; endMin?: number;
    worker?: string; graph?: string; prompt?: [number, number];
  }
  const run = (id: string, o: RunRow) => {
    const startedAt = o.startMin === null ? null : at(o.startMin);
    return db.run.create({ data: {
      id, workflowId: o.workflowId ?? null, workflowVersion: o.version ?? null, status: o.status, errorCode: o.code ?? null,
      errorMessage: o.code ? `${o.code} happened` : null, errorNodeId: o.code ? 'sampler' : null, graph: o.graph ?? graphWith(),
      queuedAt: startedAt ? new Date(startedAt.getTime() - (o.wait ?? 0) * 1000) : at(o.endMin! + 1),
      startedAt, finishedAt: startedAt ? new Date(startedAt.getTime() + o.seconds! * 1000) : at(o.endMin!),
      workerId: o.worker ?? null, promptCacheHits: o.prompt?.[0] ?? null, promptCacheMisses: o.prompt?.[1] ?? null,
    } });
  };

  it('gives exact percentiles, buckets, queue wait, node types, MOS per workflow / version / checkpoint and the lowest-rated images', async () => {
    const alpha = await db.workflow.create({ data: { name: 'alpha', currentVersion: 2 } });
    const beta = await db.workflow.create({ data: { name: 'beta' } });
    await run('r1', { workflowId: alpha.id, version: 1, status: 'succeeded', wait: 1, startMin: 50, seconds: 2, worker: 'w1', graph: graphWith('sprites'), prompt: [1, 1] });
    await run('r2', { workflowId: alpha.id, version: 2, status: 'succeeded', wait: 3, startMin: 30, seconds: 4, worker: 'w1', graph: graphWith('sprites', 'tiny-sd'), prompt: [2, 0] });
    await run('r3', { workflowId: beta.id, status: 'failed', code: 'oom', wait: 0, startMin: 10, seconds: 1, worker: 'w2' });
    await run('r4', { status: 'succeeded', wait: 5, startMin: 1, seconds: 8, worker: 'w2' });
    // Failed before a worker started it: a run and a failure, in no latency and no queue wait.
    await run('r5', { status: 'failed', code: 'worker_lost', startMin: null, endMin: 5 });
    // Ended two hours ago: outside the hour. Still running: only its queue wait (7 s) counts.
    await run('old', { workflowId: alpha.id, version: 1, status: 'succeeded', wait: 100, startMin: 120, seconds: 60, worker: 'w1' });
    await run('busy', { status: 'running', wait: 7, startMin: 2, seconds: 0 });
    await db.run.update({ where: { id: 'busy' }, data: { finishedAt: null } });
    await db.run.create({ data: { id: 'waiting', graph: graphWith(), queuedAt: at(1) } });

    const node = (runId: string, type: string, ms: number, cached = false) =>
      db.nodeResult.create({ data: { runId, nodeId: type, type, status: 'succeeded', ms, cached } });
    await node('r1', 'checkpoint_loader', 100);
    await node('r1', 'sampler', 500);
    await node('r2', 'checkpoint_loader', 0.1, true);
    await node('r2', 'sampler', 700);
    await node('r4', 'sampler', 300);
    await node('old', 'sampler', 9999);

    const image = (id: string, runId: string) => db.artifact.create({ data: {
      id, runId, nodeId: 'save', kind: 'image', filename: `${id}.png`, mime: 'image/png', sha256: id.padEnd(64, '0'),
      size: 1, width: 1, height: 1, path: `artifacts/${id}.png`,
    } });
    await image('a1', 'r1');
    await image('a2', 'r2');
    await image('a2b', 'r2');
    await image('a4', 'r4');
    await image('aOld', 'old');
    const rate = (artifactId: string, runId: string, raterKey: string, score: number, when: Date) =>
      db.rating.create({ data: { artifactId, runId, raterKey, score, createdAt: when, updatedAt: when } });
    await rate('a1', 'r1', 'local', 4, at(40));
    await rate('a1', 'r1', 'user:x', 5, at(39));
    await rate('a2', 'r2', 'local', 2, at(20));
    await rate('a2b', 'r2', 'local', 1, at(19));
    await rate('a4', 'r4', 'local', 3, at(0.5));
    await rate('aOld', 'old', 'local', 1, at(90));

    const s = await monitorSummary(db, '1h', async () => [{ id: 'w1' }], NOW, { previews: async () => ({ sent: 7, dropped: 2 }) });
    expect(s.since).toBe(at(60).toISOString());
    expect(s.runs).toBe(5);
    expect(s.successRate).toBe(3 / 5);
    expect(s.failuresByCode).toEqual({ oom: 1, worker_lost: 1 });
    // Running seconds 1, 2, 4, 8: nearest rank P50 is the 2nd, P90 and P99 the 4th.
    expect(s.latency).toEqual({ p50: 2, p90: 8, p99: 8 });
    expect(s.latency.p50!).toBeLessThanOrEqual(s.latency.p90!);
    expect(s.latency.p90!).toBeLessThanOrEqual(s.latency.p99!);
    // Waits of the runs started in the hour: 0, 1, 3, 5, 7 s.
    expect(s.queueWait).toEqual({ runs: 5, p50: 3, p90: 7, p99: 7 });

    // 24 buckets of 2.5 min; ends at 10 min 2 s (bucket 4), 30 min 4 s (12), 50 min 1 s (20), 55 min (22), 59 min 8 s (23).
    expect(s.bucketMs).toBe(150_000);
    expect(s.series).toHaveLength(24);
    expect(s.series[0].start).toBe(s.since);
    expect(s.series[23].start).toBe(at(2.5).toISOString());
    const nonEmpty = s.series.flatMap((b, i) => (b.runs ? [[i, b.runs, b.succeeded, b.failed, b.failedByCode, b.p50, b.p99]] : []));
    expect(nonEmpty).toEqual([
      [4, 1, 1, 0, {}, 2, 2],
      [12, 1, 1, 0, {}, 4, 4],
      [20, 1, 0, 1, { oom: 1 }, 1, 1],
      [22, 1, 0, 1, { worker_lost: 1 }, null, null],
      [23, 1, 1, 0, {}, 8, 8],
    ]);

    expect(s.latencyByWorkflow).toEqual([
      { workflowId: null, name: 'ad-hoc graphs', runs: 2, succeeded: 1, p50: 8, p90: 8, p99: 8 },
      { workflowId: alpha.id, name: 'alpha', runs: 2, succeeded: 2, p50: 2, p90: 4, p99: 4 },
      { workflowId: beta.id, name: 'beta', runs: 1, succeeded: 0, p50: 1, p90: 1, p99: 1 },
    ]);
    expect(s.nodeLatency).toEqual([
      { type: 'sampler', runs: 3, cached: 0, p50: 500, p90: 700 },
      { type: 'checkpoint_loader', runs: 1, cached: 1, p50: 100, p90: 100 },
    ]);
    expect(s.cache).toEqual({ node: { hits: 1, misses: 4, hitRate: 1 / 5 }, prompt: { hits: 3, misses: 1, hitRate: 3 / 4 } });
    expect(s.recentFailures).toEqual([
      { runId: 'r5', workflowId: null, name: null, code: 'worker_lost', message: 'worker_lost happened', nodeId: 'sampler', at: at(5).toISOString() },
      { runId: 'r3', workflowId: beta.id, name: 'beta', code: 'oom', message: 'oom happened', nodeId: 'sampler', at: at(10, 1).toISOString() },
    ]);
    expect(s.workerRuns).toEqual([
      { workerId: 'w1', runs: 2, succeeded: 2, failed: 0 },
      { workerId: 'w2', runs: 2, succeeded: 1, failed: 1 },
    ]);
    expect(s.previews).toEqual({ sent: 7, dropped: 2 });
    expect(s.workers).toEqual([{ id: 'w1' }]);

    // Scores in the hour: alpha v1 4 and 5, alpha v2 2 and 1 (its run loaded sprites and tiny-sd), ad-hoc 3.
    expect(s.mos).toEqual({ mean: 3, count: 5 });
    // The 95 % half-width written out: 1.96 · s / √n with the sample deviation s.
    const ci = (xs: number[]) => {
      const m = xs.reduce((a, b) => a + b) / xs.length;
      return 1.96 * Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1) / xs.length);
    };
    expect(s.mosByWorkflow).toEqual([
      { workflowId: alpha.id, name: 'alpha', mean: 3, count: 4, ci95: ci([4, 5, 2, 1]) },
      { workflowId: null, name: 'ad-hoc graphs', mean: 3, count: 1, ci95: null },
    ]);
    expect(s.mosByWorkflow[0].ci95).toBeCloseTo(1.96 * Math.sqrt(5 / 6), 12);
    expect(s.mosByVersion).toEqual([
      { workflowId: alpha.id, name: 'alpha', version: 2, mean: 1.5, count: 2, ci95: ci([2, 1]) },
      { workflowId: alpha.id, name: 'alpha', version: 1, mean: 4.5, count: 2, ci95: ci([4, 5]) },
      { workflowId: null, name: 'ad-hoc graphs', version: null, mean: 3, count: 1, ci95: null },
    ]);
    expect(s.mosByVersion[0].ci95).toBeCloseTo(0.98, 12);
    expect(s.mosByCheckpoint).toEqual([
      { checkpoint: 'sprites', mean: 3, count: 4, ci95: ci([4, 5, 2, 1]) },
      { checkpoint: 'tiny-sd', mean: 1.5, count: 2, ci95: ci([2, 1]) },
    ]);
    expect(s.lowestRated).toEqual([
      { artifactId: 'a2b', runId: 'r2', url: '/api/artifacts/a2b', workflowId: alpha.id, name: 'alpha', mean: 1, count: 1, ratedAt: at(19).toISOString() },
      { artifactId: 'a2', runId: 'r2', url: '/api/artifacts/a2', workflowId: alpha.id, name: 'alpha', mean: 2, count: 1, ratedAt: at(20).toISOString() },
      { artifactId: 'a4', runId: 'r4', url: '/api/artifacts/a4', workflowId: null, name: 'ad-hoc graphs', mean: 3, count: 1, ratedAt: at(0.5).toISOString() },
      { artifactId: 'a1', runId: 'r1', url: '/api/artifacts/a1', workflowId: alpha.id, name: 'alpha', mean: 4.5, count: 2, ratedAt: at(39).toISOString() },
    ]);

    // A day holds the old run too: 6 runs, its 60 s now the slowest; no previews source, none known.
    const day = await monitorSummary(db, '24h', async () => [], NOW);
    expect([day.runs, day.latency.p99, day.series.reduce((a, b) => a + b.runs, 0), day.previews, day.mos.count]).toEqual([6, 60, 6, null, 6]);
  });
});
