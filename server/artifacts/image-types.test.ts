// Only PNG, JPEG and WebP, recognised by their bytes, are stored and served: a worker's claimed type is never
// trusted (a fake worker attached to the real pool plays the lying worker), and files are served as what they are.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerToHost } from '../worker/protocol';
import { fakeWorker, type FakeWorker } from '../testing/fake-worker';
import { fillGraph, startTestServer, tempDir, until, type TestServer } from '../testing/harness';
import { sniffImage } from './image-kind';

const HTML = new TextEncoder().encode('<html><script>alert(document.cookie)</script></html>');
const GIF = new TextEncoder().encode('GIF89a\x01\x00\x01\x00\x00\x00\x00;');
let png: Uint8Array;
let jpeg: Uint8Array;
let webp: Uint8Array;

beforeAll(async () => {
  const base = () => sharp({ create: { width: 8, height: 4, channels: 3, background: { r: 200, g: 10, b: 10 } } });
  png = new Uint8Array(await base().png().toBuffer());
  jpeg = new Uint8Array(await base().jpeg().toBuffer());
  webp = new Uint8Array(await base().webp().toBuffer());
});

describe('sniffImage', () => {
  it('knows PNG, JPEG and WebP by their magic bytes, and nothing else', () => {
    expect([sniffImage(png), sniffImage(jpeg), sniffImage(webp)]).toEqual(['png', 'jpeg', 'webp']);
    expect(sniffImage(HTML)).toBeNull();
    expect(sniffImage(GIF)).toBeNull();
    expect(sniffImage(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffImage(new TextEncoder().encode('RIFF\0\0\0\0WAVE'))).toBeNull();
    expect(sniffImage(png.subarray(0, 7))).toBeNull();
    expect(sniffImage(new Uint8Array())).toBeNull();
  });
});

describe('artifacts and inputs as images only', () => {
  let t: TestServer;
  let dir: string;
  let worker: FakeWorker;
  /** What the fake worker answers to its next run. */
  let answer: (runId: string) => WorkerToHost[] = () => [];

  beforeAll(async () => {
    dir = tempDir('image-types');
    t = await startTestServer(dir, { WORKERS: '0' });
    worker = await fakeWorker(t, 'liar');
    worker.channel.on('host', (msg) => {
      if (msg.type === 'run') for (const m of answer(msg.runId)) worker.send(m);
    });
  });
  afterAll(async () => {
    worker?.channel.close();
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const done = (runId: string, bytes: Uint8Array, mime: string): WorkerToHost => ({
    type: 'done', runId,
    result: {
      runId, status: 'succeeded', totalMs: 1, ortMs: 0,
      nodes: [{ id: 'save', type: 'save_image', ms: 1, ortMs: 0, cached: false, status: 'succeeded' }],
      artifacts: [{ nodeId: 'save', kind: 'image', filename: 'out_000.png', mime, bytes, width: 8, height: 4 }],
    },
  });
  async function runWith(reply: (runId: string) => WorkerToHost[]) {
    answer = reply;
    const { runId } = await t.trpc.runs.enqueue.mutate({ graph: fillGraph() });
    return until(async () => {
      const r = await t.server.services.db.run.findUnique({ where: { id: runId } });
      return r && ['succeeded', 'failed'].includes(r.status) ? r : undefined;
    }, `run ${runId} to end`);
  }

  it('fails the run when an output is not an image, whatever type the worker claims, and stores nothing', async () => {
    const run = await runWith((runId) => [
      { type: 'event', runId, event: { type: 'node:preview', runId, nodeId: 'save', step: 0, total: 1, mime: 'image/jpeg', image: HTML } },
      done(runId, HTML, 'image/png'),
    ]);
    expect(run).toMatchObject({
      status: 'failed', errorCode: 'artifact_rejected', errorNodeId: 'save',
      errorMessage: 'node "save" produced output "out_000.png" (claimed image/png), which is not a PNG, JPEG or WebP image '
        + '(checked by its content); only those are stored and served',
    });
    expect(await t.server.services.db.artifact.count({ where: { runId: run.id } })).toBe(0);
    expect(fs.existsSync(path.join(dir, 'artifacts'))).toBe(false);
  });

  it('stores and serves an output as the type of its bytes, not the claimed one', async () => {
    const run = await runWith((runId) => [done(runId, jpeg, 'text/html')]);
    expect(run.status).toBe('succeeded');
    const row = await t.server.services.db.artifact.findFirstOrThrow({ where: { runId: run.id, kind: 'image' } });
    expect(row.mime).toBe('image/jpeg');
    expect(row.path).toMatch(/\.jpg$/);
    const res = await fetch(`${t.url}/api/artifacts/${row.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(jpeg);
  });

  it('serves rows recorded before the check by their bytes, and refuses files that are not images', async () => {
    const { db } = t.server.services;
    const run = await db.run.create({ data: { graph: '{}', status: 'succeeded' } });
    const legacy = async (name: string, bytes: Uint8Array, mime: string) => {
      fs.mkdirSync(path.join(dir, 'artifacts', 'zz'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'artifacts', 'zz', name), bytes);
      return db.artifact.create({
        data: { runId: run.id, nodeId: 'save', kind: 'image', filename: name, mime, sha256: name, size: bytes.length, width: 8, height: 4, path: `artifacts/zz/${name}` },
      });
    };
    const good = await legacy('old.bin', png, 'text/html');
    const ok = await fetch(`${t.url}/api/artifacts/${good.id}`);
    expect([ok.status, ok.headers.get('content-type')]).toEqual([200, 'image/png']);

    const bad = await legacy('old.html', HTML, 'image/png');
    const refused = await fetch(`${t.url}/api/artifacts/${bad.id}`);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: { code: 'not_an_image', message: `artifact "${bad.id}" is not a PNG, JPEG or WebP image, so it is not served` } });
  });

  it('serves input images by their bytes and refuses anything else', async () => {
    const inputs = path.join(dir, 'inputs');
    fs.mkdirSync(inputs, { recursive: true });
    fs.writeFileSync(path.join(inputs, 'real.png'), png);
    fs.writeFileSync(path.join(inputs, 'photo.webp'), jpeg);
    fs.writeFileSync(path.join(inputs, 'page.png'), HTML);
    fs.writeFileSync(path.join(inputs, 'anim.gif'), GIF);

    const real = await fetch(`${t.url}/api/inputs/real.png`);
    expect([real.status, real.headers.get('content-type'), real.headers.get('x-content-type-options')]).toEqual([200, 'image/png', 'nosniff']);
    expect(new Uint8Array(await real.arrayBuffer())).toEqual(png);
    const renamed = await fetch(`${t.url}/api/inputs/photo.webp`);
    expect([renamed.status, renamed.headers.get('content-type')]).toEqual([200, 'image/jpeg']);

    const page = await fetch(`${t.url}/api/inputs/page.png`);
    expect(page.status).toBe(403);
    expect(await page.json()).toEqual({ error: { code: 'not_an_image', message: 'input "page.png" is not a PNG, JPEG or WebP image, so it is not served' } });
    const gif = await fetch(`${t.url}/api/inputs/anim.gif`);
    expect(gif.status).toBe(404);
  });
});
