// The worker API's rules, spoken to directly (no worker process), on a scaled server with real Redis: a claim is
// the database's decision and a retry by the same worker gets the same run; records name their worker; blobs are
// content-addressed images; a finish is recorded once, replayed on retry, and refused once the run ended otherwise.
import fs from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLUSTER_TOKEN, testRedis } from '../testing/cluster';
import { fillGraph, startTestServer, tempDir, type TestServer } from '../testing/harness';
import { WorkerApiClient, WorkerApiError } from './api-client';
import { sha256Hex } from './blob-wire';
import { stepsToWire } from './step-wire';
import { StepStore } from '../steps/step-store';

const redis = testRedis();
const dir = tempDir('worker-api');
let t: TestServer;
let api: WorkerApiClient;
beforeAll(async () => {
  t = await startTestServer(dir, redis.env);
  api = new WorkerApiClient([new URL(t.url)], CLUSTER_TOKEN, () => undefined, 2_000);
}, 60_000);
afterAll(async () => {
  await t?.close();
  await redis.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const result = (runId: string, png: Uint8Array) => ({
  runId, status: 'succeeded', totalMs: 3, ortMs: 0,
  nodes: [{ id: 'save', type: 'save_image', ms: 1, ortMs: 0, cached: false, status: 'succeeded' }],
  artifacts: [{ nodeId: 'save', kind: 'image', filename: 'out.png', mime: 'image/png', bytes: { $blob: sha256Hex(png) }, width: 4, height: 4 }],
});

it('claims once, records only for the holder, stores image blobs by hash, and finishes once', async () => {
  const { runId } = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#224466', 4, 4) });
  const who = { workerId: 'w1', pool: 'default', warm: [] };
  const first = await api.claim(runId, who);
  expect(first).toMatchObject({ runId, ownerId: null, modelKey: null, graph: { version: 1 } });
  expect((await api.claim(runId, who))?.runId).toBe(runId); // its answer was lost: asked again
  expect(await api.claim(runId, { ...who, workerId: 'w2' })).toBeNull();

  await expect(api.record(runId, { op: 'fail', workerId: 'w2', failure: { status: 'failed', code: 'x', message: 'not mine' } }))
    .rejects.toThrow(/409 run ".+" is not held by worker w2/);

  const png = new Uint8Array(await sharp({ create: { width: 4, height: 4, channels: 3, background: '#224466' } }).png().toBuffer());
  await expect(api.record(runId, { op: 'finish', workerId: 'w1', result: result(runId, png) })).rejects.toThrow(/400 blob [0-9a-f]{64} was never uploaded/);
  const html = new TextEncoder().encode('<html>not an image</html>');
  await expect(api.putBlob(sha256Hex(html), html)).rejects.toThrow(/415/);
  const put = await fetch(`${t.url}/api/workers/blobs/${'0'.repeat(64)}`, { method: 'PUT', headers: { Authorization: `Bearer ${CLUSTER_TOKEN}` }, body: png });
  expect([put.status, (await put.json()).error.code]).toEqual([400, 'blob_hash_mismatch']);
  await api.putBlob(sha256Hex(png), png);

  const done = await api.record(runId, { op: 'finish', workerId: 'w1', result: result(runId, png) });
  expect(done.refs).toEqual([expect.objectContaining({ nodeId: 'save', filename: 'out.png', mime: 'image/png', width: 4, height: 4 })]);
  expect(await api.record(runId, { op: 'finish', workerId: 'w1', result: result(runId, png) })).toEqual(done);
  const row = await t.server.services.db.run.findUniqueOrThrow({ where: { id: runId } });
  expect(row).toMatchObject({ status: 'succeeded', workerId: 'w1' });
  expect(await t.server.services.db.artifact.count({ where: { runId, kind: 'image' } })).toBe(1);
  const served = await fetch(`${t.url}${(done.refs as { url: string }[])[0].url}`);
  expect(new Uint8Array(await served.arrayBuffer())).toEqual(png);
});

it('refuses a finish for a run that ended otherwise meanwhile (declared lost), and a wrong token', async () => {
  const { runId } = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#446688', 4, 4) });
  await api.claim(runId, { workerId: 'w3', pool: 'default', warm: [] });
  await t.server.services.db.run.update({ where: { id: runId }, data: { status: 'failed', errorCode: 'worker_lost', finishedAt: new Date() } });
  const png = new Uint8Array(await sharp({ create: { width: 4, height: 4, channels: 3, background: '#446688' } }).png().toBuffer());
  await api.putBlob(sha256Hex(png), png);
  await expect(api.record(runId, { op: 'finish', workerId: 'w3', result: result(runId, png) })).rejects.toThrow(/409 run ".+" already ended as failed/);
  expect(await t.server.services.db.run.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({ status: 'failed', errorCode: 'worker_lost' });

  const stranger = new WorkerApiClient([new URL(t.url)], 'not-the-cluster-token', () => undefined, 2_000);
  const refused = await stranger.check().catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(WorkerApiError);
  expect((refused as WorkerApiError).status).toBe(401);
});

it('stores watched steps sent as base64 latents for the holder, refusing malformed ones', async () => {
  const { runId } = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#668822', 4, 4) });
  await api.claim(runId, { workerId: 'w4', pool: 'default', warm: [] });
  const step = (n: number) => ({
    runId, nodeId: 'sampler', step: n, total: 2, sigma: 2 - n, stats: [{ mean: n, std: 1, min: 0, max: 2 }], dims: [1, 2, 2] as [number, number, number],
    x0: Float32Array.from([n, 0.5, -1, 2]), latent: Float32Array.from([0, 0, 0, n]), latentRgb: { factors: [[1, 1, 1]], bias: [0, 0, 0] },
  });
  const [wire] = stepsToWire([step(0), step(1)]);
  await expect(api.record(runId, { op: 'steps', workerId: 'w5', steps: wire })).rejects.toThrow(/409 run ".+" is not held by worker w5/);
  await expect(api.record(runId, { op: 'steps', workerId: 'w4', steps: [{ ...wire[0], x0: 'AAA' }] })).rejects.toThrow(/400 malformed steps \(0\.x0: expected float32 values/);
  await api.record(runId, { op: 'steps', workerId: 'w4', steps: wire });
  const stored = await t.trpc.runs.steps.query({ runId, nodeId: 'sampler' });
  expect(stored.map((s) => [s.step, s.total, s.sigma, s.stats[0].mean])).toEqual([[0, 2, 2, 0], [1, 2, 1, 1]]);
  const rec = await new StepStore(t.dataDir).read(runId, Number(/\/(\d+)\/x0\.png$/.exec(stored[1].image.url)![1]));
  expect([...rec!.x0]).toEqual([1, 0.5, -1, 2]);
  expect([...rec!.latent!]).toEqual([0, 0, 0, 1]);
});
