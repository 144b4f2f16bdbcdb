// The configured limits against a real server: queue quotas, batch size, graph and body caps, image pixels.
// No local worker (WORKERS=0), so runs stay queued and quotas can be counted exactly.
import fs from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collidingPrompt } from '../../bench/comfy-import';
import { addPngText } from '../../nodes/runtime/image';
import { fillGraph, startTestServer, tempDir, trpcRejection, type TestServer } from '../testing/harness';

let t: TestServer;
let dataDir: string;

const LIMITS = {
  WORKERS: '0', WORKER_TOKEN: 'limits-test-worker-token',
  MAX_QUEUED_RUNS_PER_USER: '3', MAX_BATCH_COUNT: '2', MAX_GRAPH_NODES: '5', MAX_GRAPH_EDGES: '4',
  MAX_META_BYTES: '1024', MAX_BODY_BYTES: '65536', MAX_IMAGE_PIXELS: '4096',
};

beforeAll(async () => {
  dataDir = tempDir('limits');
  t = await startTestServer(dataDir, LIMITS);
}, 60_000);

afterAll(async () => {
  await t?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

const queued = () => t.server.services.db.run.count({ where: { status: 'queued' } });
const small = () => fillGraph('#123456', 8, 8);

async function api(path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, body: await res.json() };
}

/** A graph of `n` Solid Colour nodes chained into Save Image nodes: n nodes, n / 2 edges. */
function graphOf(nodes: number, meta?: Record<string, unknown>) {
  const list = Array.from({ length: nodes }, (_, i) => (i % 2
    ? { id: `s${i}`, type: 'save_image', typeVersion: 1, params: {} }
    : { id: `f${i}`, type: 'solid_color', typeVersion: 1, params: { width: 8, height: 8 } }));
  const edges = list.flatMap((n, i) => (i % 2 ? [{ from: { node: `f${i - 1}`, output: 'image' }, to: { node: n.id, input: 'images' } }] : []));
  return { version: 1 as const, nodes: list, edges, ...(meta ? { meta } : {}) };
}

describe('queue limits', () => {
  it('MAX_BATCH_COUNT: a larger batch is refused before anything is queued (tRPC and HTTP API)', async () => {
    const e = await trpcRejection(t.trpc.runs.enqueue.mutate({ graph: small(), count: 3 }));
    expect([e.data?.code, e.data?.httpStatus, e.message]).toEqual([
      'BAD_REQUEST', 400, 'MAX_BATCH_COUNT (2): a batch of 3 runs is too large; queue at most 2 at once',
    ]);
    expect(await queued()).toBe(0);
    const wf = await t.trpc.workflows.create.mutate({ name: 'batch', graph: small() });
    const r = await api(`/api/workflows/${wf.id}/runs?count=3`, '{}');
    expect(r).toEqual({ status: 400, body: { error: {
      code: 'invalid_count', limit: 'MAX_BATCH_COUNT', value: 2, message: 'count must be a whole number from 1 to MAX_BATCH_COUNT (2) (got "3")',
    } } });
  });

  it('MAX_QUEUED_RUNS_PER_USER: 429 naming the limit once the waiting runs would exceed it, also over HTTP', async () => {
    await t.trpc.runs.enqueue.mutate({ graph: small(), count: 2 });
    const e = await trpcRejection(t.trpc.runs.enqueue.mutate({ graph: small(), count: 2 }));
    expect([e.data?.code, e.data?.httpStatus, e.message]).toEqual([
      'TOO_MANY_REQUESTS', 429,
      'MAX_QUEUED_RUNS_PER_USER (3) reached: you have 2 runs waiting and asked for 2 more; wait for some to finish or cancel queued runs, then try again',
    ]);
    await t.trpc.runs.enqueue.mutate({ graph: small() });
    expect(await queued()).toBe(3);
    const wf = await t.trpc.workflows.create.mutate({ name: 'quota', graph: small() });
    expect(await api(`/api/workflows/${wf.id}/runs`, '{}')).toEqual({ status: 429, body: { error: {
      code: 'limit_exceeded', limit: 'MAX_QUEUED_RUNS_PER_USER', value: 3,
      message: 'MAX_QUEUED_RUNS_PER_USER (3) reached: you have 3 runs waiting; wait for some to finish or cancel queued runs, then try again',
    } } });
    expect(await queued()).toBe(3);
    expect(await t.trpc.runs.cancelQueued.mutate({})).toEqual({ cancelled: 3 });
  });

  it('parallel requests cannot overrun the quota: exactly MAX_QUEUED_RUNS_PER_USER of 6 get in', async () => {
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => t.trpc.runs.enqueue.mutate({ graph: small() })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.data?.code))
      .toEqual(['TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
    expect(await queued()).toBe(3);
    await t.trpc.runs.cancelQueued.mutate({});
  });

  it('AUTH=none: the single user is admin and may raise priority', async () => {
    const r = await t.trpc.runs.enqueue.mutate({ graph: small(), priority: 50 });
    expect((await t.server.services.db.run.findUniqueOrThrow({ where: { id: r.runId } })).priority).toBe(50);
    await t.trpc.runs.cancelQueued.mutate({});
  });
});

describe('graph caps', () => {
  it('MAX_GRAPH_NODES on create, save and enqueue; nothing is stored', async () => {
    const message = 'MAX_GRAPH_NODES (5): the graph has 6 nodes; split it into smaller workflows';
    const create = await trpcRejection(t.trpc.workflows.create.mutate({ name: 'big', graph: graphOf(6) }));
    expect([create.data?.code, create.message]).toEqual(['BAD_REQUEST', message]);
    const wf = await t.trpc.workflows.create.mutate({ name: 'grows', graph: graphOf(4) });
    expect((await trpcRejection(t.trpc.workflows.save.mutate({ id: wf.id, graph: graphOf(6) }))).message).toBe(message);
    expect(await t.server.services.db.workflowVersion.count({ where: { workflowId: wf.id } })).toBe(1);
    expect((await trpcRejection(t.trpc.runs.enqueue.mutate({ graph: graphOf(6) }))).message).toBe(message);
    expect(await queued()).toBe(0);
  });

  it('MAX_GRAPH_EDGES and MAX_META_BYTES', async () => {
    const edges = graphOf(4);
    edges.edges.push(...Array.from({ length: 3 }, () => edges.edges[0]));
    expect((await trpcRejection(t.trpc.workflows.create.mutate({ name: 'wired', graph: edges }))).message)
      .toBe('MAX_GRAPH_EDGES (4): the graph has 5 edges; split it into smaller workflows');
    const meta = { note: 'x'.repeat(2000) };
    expect((await trpcRejection(t.trpc.workflows.create.mutate({ name: 'noted', graph: graphOf(2, meta) }))).message)
      .toBe('MAX_META_BYTES (1024): the graph\'s meta is 2011 bytes of JSON; keep notes and editor state smaller');
  });

  it('a ComfyUI import of 50,000 colliding ids is refused by the node cap, naming the file', async () => {
    const base64 = Buffer.from(JSON.stringify(collidingPrompt(50_000))).toString('base64');
    const e = await trpcRejection(t.trpc.workflows.import.mutate({ name: 'huge.json', base64 }));
    expect([e.data?.code, e.message]).toEqual(['BAD_REQUEST', 'MAX_GRAPH_NODES (5): huge.json: the workflow has 50000 nodes; at most 5 can be imported here']);
  });
});

describe('request bodies', () => {
  it('MAX_BODY_BYTES: a larger tRPC body is 413 naming the limit, declared or chunked; the server goes on', async () => {
    const e = await trpcRejection(t.trpc.workflows.create.mutate({ name: 'fat', graph: graphOf(2, { note: 'y'.repeat(70_000) }) }));
    expect([e.data?.code, e.data?.httpStatus]).toEqual(['PAYLOAD_TOO_LARGE', 413]);
    expect(e.message).toMatch(/^MAX_BODY_BYTES \(65536\): the request body is 7\d{4} bytes; requests may carry at most 65536 bytes$/);
    const chunks = [new TextEncoder().encode(`{"json":{"name":"${'z'.repeat(40_000)}`), new TextEncoder().encode(`${'z'.repeat(40_000)}"}}`)];
    const res = await fetch(`${t.url}/api/trpc/workflows.create`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, duplex: 'half',
      body: new ReadableStream({ pull(c) { const next = chunks.shift(); if (next) c.enqueue(next); else c.close(); } }),
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await res.json()).error.json.message).toBe('MAX_BODY_BYTES (65536): the request body is larger than that; requests may carry at most 65536 bytes');
    expect((await t.trpc.workflows.list.query()).length).toBeGreaterThan(0);
  });

  it('uploads carry files larger than MAX_BODY_BYTES (up to 20 MB), and images within MAX_IMAGE_PIXELS only', async () => {
    const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#804020' } }).png().toBuffer();
    const padded = addPngText(new Uint8Array(png), { comment: 'p'.repeat(80_000) });
    const up = await t.trpc.inputs.upload.mutate({ name: 'padded.png', base64: Buffer.from(padded).toString('base64') });
    expect([up.width, up.height, up.size]).toEqual([32, 32, padded.byteLength]);
    const big = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#000' } }).png().toBuffer();
    const e = await trpcRejection(t.trpc.inputs.upload.mutate({ name: 'big.png', base64: big.toString('base64') }));
    expect([e.data?.code, e.message]).toEqual(['BAD_REQUEST', 'big.png: 100x100 (10,000 pixels) is above MAX_IMAGE_PIXELS (4,096); upload a smaller image']);
  });

  it('the HTTP API answers 413 with the same limit', async () => {
    const wf = await t.trpc.workflows.create.mutate({ name: 'api body', graph: small() });
    const r = await api(`/api/workflows/${wf.id}/runs`, JSON.stringify({ color: 'w'.repeat(70_000) }));
    expect(r).toEqual({ status: 413, body: { error: {
      code: 'payload_too_large', limit: 'MAX_BODY_BYTES', value: 65536,
      message: 'MAX_BODY_BYTES (65536): the body is larger than 65536 bytes; inputs are small JSON values',
    } } });
  });
});

describe('MAX_IMAGE_PIXELS at enqueue', () => {
  it('a graph whose sizes are known is refused with image_too_large naming the node and param', async () => {
    const g = fillGraph('#000000', 64, 64);
    g.nodes.splice(1, 0, { id: 'big', type: 'resize', typeVersion: 1, params: { scale: 2 } } as never);
    g.edges = [
      { from: { node: 'fill', output: 'image' }, to: { node: 'big', input: 'image' } },
      { from: { node: 'big', output: 'image' }, to: { node: 'save', input: 'images' } },
    ];
    const e = await trpcRejection(t.trpc.runs.enqueue.mutate({ graph: g }));
    expect(e.data?.problems).toEqual([{
      code: 'image_too_large', nodeId: 'big', param: 'scale',
      message: 'node "big" (Resize Image) would output 128x128 (16,384 pixels), above MAX_IMAGE_PIXELS (4,096); lower scale',
    }]);
    expect(await queued()).toBe(0);
  });
});
