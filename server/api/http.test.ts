// The HTTP API against a real server, database and worker: tokens made through tRPC, a workflow with an
// exposed colour run by POST, polled to the end, its PNG fetched with the same token and checked pixel by pixel.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TRPCClientError } from '@trpc/client';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiToken } from '../auth/api-token';
import { fillGraph, sessionClient, startTestServer, tempDir, until, trpcOutcome, type SessionClient, type TestServer } from '../testing/harness';

const EXPOSED = [
  { name: 'color', node: 'fill', param: 'color' },
  { name: 'width', node: 'fill', param: 'width' },
];

function exposedFill(color = '#ff0000') {
  return { ...fillGraph(color, 16, 8), meta: { name: 'API fill', exposed: EXPOSED } };
}

interface Json { status: number; headers: Headers; body: any }

async function call(url: string, init: { method?: string; token?: string; body?: unknown; raw?: string; type?: string; cookie?: string } = {}): Promise<Json> {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.cookie) headers.cookie = init.cookie;
  const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  if (body !== undefined) headers['content-type'] = init.type ?? 'application/json';
  const res = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

async function finished(url: string, token?: string): Promise<any> {
  return until(async () => {
    const r = await call(url, { token });
    expect(r.status).toBe(200);
    return ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(r.body.status) ? r.body : undefined;
  }, `run ${url} to end`);
}

async function firstPixel(png: ArrayBuffer): Promise<number[]> {
  const { data, info } = await sharp(Buffer.from(png)).raw().toBuffer({ resolveWithObject: true });
  return [...data.subarray(0, info.channels)];
}


describe('AUTH=local', () => {
  let t: TestServer;
  let dataDir: string;
  let olga: SessionClient;
  let oscar: SessionClient;
  let token: string;
  let oscarToken: string;
  let workflowId: string;
  let runUrl: string;
  let ranId: string;
  let outputUrl: string;

  beforeAll(async () => {
    dataDir = tempDir('http-api');
    t = await startTestServer(dataDir, { AUTH: 'local', MAX_BODY_BYTES: String(1024 * 1024) });
    olga = sessionClient(t.url);
    oscar = sessionClient(t.url);
    await olga.trpc.auth.signUp.mutate({ username: 'olga', password: 'olga-password' });
    await oscar.trpc.auth.signUp.mutate({ username: 'oscar', password: 'oscar-password' });
    const created = await olga.trpc.tokens.create.mutate({ name: 'render script' });
    token = created.token;
    oscarToken = (await oscar.trpc.tokens.create.mutate({ name: 'mine' })).token;
    workflowId = (await olga.trpc.workflows.create.mutate({ name: 'API fill', graph: exposedFill() })).id;
    runUrl = `${t.url}/api/workflows/${workflowId}/runs`;
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('tokens are sf_ + 32 random bytes, listed by name and prefix only', async () => {
    expect(token).toMatch(/^sf_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(3), 'base64url')).toHaveLength(32);
    const list = await olga.trpc.tokens.list.query();
    expect(list).toEqual([{ id: expect.any(String), name: 'render script', prefix: token.slice(0, 10), createdAt: expect.any(Date), lastUsedAt: null }]);
    expect(JSON.stringify(list)).not.toContain(token);
    expect(await trpcOutcome(sessionClient(t.url).trpc.tokens.list.query())).toBe('UNAUTHORIZED');
  });

  it('describes the exposed inputs with their types and defaults', async () => {
    const r = await call(`${t.url}/api/workflows/${workflowId}/inputs`, { token });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body).toMatchObject({ workflowId, name: 'API fill', version: 1, runUrl: `/api/workflows/${workflowId}/runs` });
    expect(r.body.inputs).toEqual([
      { name: 'color', node: 'fill', nodeType: 'solid_color', nodeTitle: 'Solid Colour', param: 'color', type: 'string', widget: 'text', default: '#ff0000', maxLength: 16 },
      { name: 'width', node: 'fill', nodeType: 'solid_color', nodeTitle: 'Solid Colour', param: 'width', type: 'int', widget: 'slider', default: 16, min: 1, max: 8192, step: 8 },
    ]);
  });

  it('POST runs the saved workflow with the inputs; the status lists an output the same token downloads', async () => {
    const r = await call(runUrl, { token, body: { color: '#12ab34', width: 24 } });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ runId: expect.any(String), status: 'queued', position: expect.any(Number), workflowId, version: 1, statusUrl: `/api/runs/${r.body.runId}` });
    expect(r.body.position).toBeGreaterThanOrEqual(1);
    expect(r.headers.get('location')).toBe(`${t.url}${r.body.statusUrl}`);
    ranId = r.body.runId;

    const run = await finished(`${t.url}${r.body.statusUrl}`, token);
    expect(run).toMatchObject({ id: ranId, workflowId, workflowVersion: 1, status: 'succeeded', error: null, position: null });
    expect(new Date(run.finishedAt).getTime()).toBeGreaterThanOrEqual(new Date(run.startedAt).getTime());
    expect(run.outputs).toHaveLength(1);
    expect(run.outputs[0]).toMatchObject({ nodeId: 'save', mime: 'image/png', width: 24, height: 8 });
    outputUrl = run.outputs[0].url;
    expect(outputUrl).toMatch(new RegExp(`^${t.url}/api/artifacts/[^/?]+$`));

    const file = await fetch(outputUrl, { headers: { authorization: `Bearer ${token}` } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(await firstPixel(await file.arrayBuffer())).toEqual([0x12, 0xab, 0x34]);

    // The run is olga's, as if she had pressed Run in the editor.
    const viaTrpc = await olga.trpc.runs.get.query({ runId: ranId });
    expect(viaTrpc.graph.nodes.find((n) => n.id === 'fill')).toMatchObject({ params: { color: '#12ab34', width: 24 }, controls: { color: 'fixed', width: 'fixed' } });
    expect((await olga.trpc.tokens.list.query())[0].lastUsedAt).toBeInstanceOf(Date);
    // The session cookie reads the status too.
    expect((await call(`${t.url}${r.body.statusUrl}`, { cookie: olga.cookie() })).status).toBe(200);
  });

  it('a given value runs as given: its seed-style control is fixed (increment/random would replace it at enqueue)', async () => {
    const base = fillGraph('#000000', 8, 8);
    const graph = {
      ...base,
      nodes: [{ ...base.nodes[0], controls: { color: 'increment' as const } }, base.nodes[1]],
      meta: { exposed: [{ name: 'color', node: 'fill', param: 'color' }] },
    };
    const id = (await olga.trpc.workflows.create.mutate({ name: 'controlled', graph })).id;
    const r = await call(`${t.url}/api/workflows/${id}/runs`, { token, body: { color: '#0000ff' } });
    expect(r.status).toBe(202);
    const run = await finished(`${t.url}${r.body.statusUrl}`, token);
    const png = await fetch(run.outputs[0].url, { headers: { authorization: `Bearer ${token}` } });
    expect(await firstPixel(await png.arrayBuffer())).toEqual([0, 0, 255]);
  });

  it('?count=N queues a batch and lists every run; a bad count is refused', async () => {
    const id = (await olga.trpc.workflows.create.mutate({ name: 'batch', graph: exposedFill('#101010') })).id;
    const r = await call(`${t.url}/api/workflows/${id}/runs?count=3`, { token, body: { color: '#00ffff' } });
    expect(r.status).toBe(202);
    expect(r.body.runs).toHaveLength(3);
    expect(r.body.runId).toBe(r.body.runs[0].runId);
    for (const run of r.body.runs as { statusUrl: string }[]) {
      const done = await finished(`${t.url}${run.statusUrl}`, token);
      const png = await fetch(done.outputs[0].url, { headers: { authorization: `Bearer ${token}` } });
      expect(await firstPixel(await png.arrayBuffer())).toEqual([0, 255, 255]);
    }
    expect((await call(`${t.url}/api/workflows/${id}/runs`, { token, body: {} })).body.runs).toBeUndefined();
    for (const bad of ['0', '101', 'x', '2.5']) {
      expect((await call(`${t.url}/api/workflows/${id}/runs?count=${bad}`, { token, body: {} })).body.error.code, bad).toBe('invalid_count');
    }
  });

  it('?version=N runs that saved version', async () => {
    const w = await olga.trpc.workflows.create.mutate({ name: 'versions', graph: exposedFill('#00ff00') });
    await olga.trpc.workflows.save.mutate({ id: w.id, graph: { ...exposedFill('#ffffff'), meta: {} } });
    // v2 exposes nothing; v1 still has "color".
    const now = await call(`${t.url}/api/workflows/${w.id}/runs`, { token, body: { color: '#0000ff' } });
    expect(now.status).toBe(400);
    expect(now.body.error.message).toContain('none (the owner has exposed no inputs)');
    const old = await call(`${t.url}/api/workflows/${w.id}/runs?version=1`, { token, body: {} });
    expect(old.status).toBe(202);
    expect(old.body.version).toBe(1);
    const run = await finished(`${t.url}${old.body.statusUrl}`, token);
    expect(run.workflowVersion).toBe(1);
    const png = await fetch(run.outputs[0].url, { headers: { authorization: `Bearer ${token}` } });
    expect(await firstPixel(await png.arrayBuffer())).toEqual([0, 255, 0]);
    expect((await call(`${t.url}/api/workflows/${w.id}/runs?version=9`, { token, body: {} })).status).toBe(404);
    expect((await call(`${t.url}/api/workflows/${w.id}/runs?version=0`, { token, body: {} })).body.error.code).toBe('invalid_version');
  });

  it('401 without a token, with a wrong, malformed or revoked one, and for a session cookie alone', async () => {
    const none = await call(runUrl, { body: {} });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="StepFlow"');
    expect((await call(runUrl, { body: {}, cookie: olga.cookie() })).status).toBe(401);

    const wrong = await call(runUrl, { body: {}, token: `sf_${crypto.randomBytes(32).toString('base64url')}` });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_token');
    expect(wrong.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await call(runUrl, { body: {}, token: 'hunter2' })).body.error.code).toBe('invalid_token');

    const spare = await olga.trpc.tokens.create.mutate({ name: 'spare' });
    expect((await call(`${t.url}/api/workflows/${workflowId}/inputs`, { token: spare.token })).status).toBe(200);
    expect(await olga.trpc.tokens.revoke.mutate({ id: spare.id })).toEqual({ id: spare.id, revoked: true });
    const revoked = await call(runUrl, { body: {}, token: spare.token });
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.code).toBe('invalid_token');
    // A refused token is refused even next to a valid session cookie.
    expect((await call(`${t.url}/api/runs/${ranId}`, { token: spare.token, cookie: olga.cookie() })).status).toBe(401);
    expect((await fetch(outputUrl, { headers: { authorization: `Bearer ${spare.token}` } })).status).toBe(401);
    // Nobody revokes someone else's token.
    const olgaTokenId = (await olga.trpc.tokens.list.query())[0].id;
    expect(await trpcOutcome(oscar.trpc.tokens.revoke.mutate({ id: olgaTokenId }))).toBe('NOT_FOUND');
  });

  it('404 for another user\'s private workflow, run and output; public workflows run for anyone with a token', async () => {
    const post = await call(runUrl, { token: oscarToken, body: { color: '#000000' } });
    expect(post.status).toBe(404);
    expect(post.body.error.code).toBe('not_found');
    expect((await call(`${t.url}/api/workflows/${workflowId}/inputs`, { token: oscarToken })).status).toBe(404);
    expect((await call(`${t.url}/api/runs/${ranId}`, { token: oscarToken })).status).toBe(404);
    expect((await call(`${t.url}/api/runs/${ranId}`)).status).toBe(404);
    expect((await fetch(outputUrl, { headers: { authorization: `Bearer ${oscarToken}` } })).status).toBe(404);
    expect((await fetch(outputUrl)).status).toBe(404);
    expect((await call(`${t.url}/api/workflows/nope/runs`, { token, body: {} })).status).toBe(404);
    expect((await call(`${t.url}/api/runs/nope`, { token })).status).toBe(404);

    await olga.trpc.workflows.setVisibility.mutate({ id: workflowId, visibility: 'public' });
    try {
      const r = await call(runUrl, { token: oscarToken, body: { color: '#ffff00', width: 8 } });
      expect(r.status).toBe(202);
      // Oscar's run is his: olga does not see it, he does.
      expect((await call(`${t.url}${r.body.statusUrl}`, { token })).status).toBe(404);
      const run = await finished(`${t.url}${r.body.statusUrl}`, oscarToken);
      expect(run.status).toBe('succeeded');
    } finally {
      await olga.trpc.workflows.setVisibility.mutate({ id: workflowId, visibility: 'private' });
    }
  });

  it('400 names the unknown input and the invalid value\'s input, node and param', async () => {
    const unknown = await call(runUrl, { token, body: { colour: '#fff' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'unknown_input', problems: [{ input: 'colour', valid: ['color', 'width'] }] });
    expect(unknown.body.error.message).toBe('unknown input "colour"; this workflow\'s inputs: color, width');

    const invalid = await call(runUrl, { token, body: { color: 42, width: 0 } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('invalid_value');
    expect(invalid.body.error.problems.map((p: any) => [p.input, p.node, p.param])).toEqual([['color', 'fill', 'color'], ['width', 'fill', 'width']]);
    expect(invalid.body.error.message).toContain('input "color" (node "fill" param "color")');
    expect(invalid.body.error.message).toContain('input "width" (node "fill" param "width")');

    const badJson = await call(runUrl, { token, raw: '{"color": ' });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.code).toBe('invalid_json');
    const array = await call(runUrl, { token, body: ['#fff'] });
    expect(array.status).toBe(400);
    expect(array.body.error.code).toBe('invalid_body');
  });

  it('415 for a body that is not JSON, 413 over MAX_BODY_BYTES (1 MB here), 405 for other methods', async () => {
    const form = await call(runUrl, { token, raw: 'color=%23fff', type: 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(form.body.error.code).toBe('unsupported_media_type');
    const big = await call(runUrl, { token, body: { color: 'x'.repeat(1024 * 1024 + 10) } });
    expect(big.status).toBe(413);
    expect(big.body.error).toEqual({
      code: 'payload_too_large', limit: 'MAX_BODY_BYTES', value: 1048576,
      message: 'MAX_BODY_BYTES (1048576): the body is larger than 1048576 bytes; inputs are small JSON values',
    });
    // Without Content-Length (chunked), the limit holds while reading.
    const chunk = new TextEncoder().encode(`{"color":"${'y'.repeat(256 * 1024)}`);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 6) c.enqueue(chunk);
        else c.close();
      },
    });
    const chunked = await fetch(runUrl, {
      method: 'POST', body: stream, duplex: 'half', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await chunked.json()).error.code).toBe('payload_too_large');
    const get = await call(runUrl, { token });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await call(`${t.url}/api/runs/${ranId}`, { token, method: 'DELETE' })).headers.get('allow')).toBe('GET');
    expect((await call(`${t.url}/api/workflows/${workflowId}`, { token })).body.error.code).toBe('not_found');
    // The server is still fine after refusing a large body.
    expect((await call(`${t.url}/api/workflows/${workflowId}/inputs`, { token })).status).toBe(200);
  });

  it('422 with the coded problems when the saved graph cannot run', async () => {
    const broken = {
      version: 1 as const,
      nodes: [{ id: 'save', type: 'save_image', typeVersion: 1, params: {} }],
      edges: [],
      meta: { exposed: [{ name: 'prefix', node: 'save', param: 'filename_prefix' }] },
    };
    const id = (await olga.trpc.workflows.create.mutate({ name: 'broken', graph: broken })).id;
    const r = await call(`${t.url}/api/workflows/${id}/runs`, { token, body: { prefix: 'x' } });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('graph_invalid');
    expect(r.body.error.problems).toEqual([expect.objectContaining({ code: 'missing_input', nodeId: 'save', input: 'images' })]);

    const stale = { ...fillGraph(), meta: { exposed: [{ name: 'prompt', node: 'positive', param: 'text' }] } };
    const staleId = (await olga.trpc.workflows.create.mutate({ name: 'stale', graph: stale })).id;
    const s = await call(`${t.url}/api/workflows/${staleId}/runs`, { token, body: {} });
    expect(s.status).toBe(422);
    expect(s.body.error).toMatchObject({ code: 'not_exposed_param', problems: [{ input: 'prompt', node: 'positive', param: 'text' }] });
  });

  it('stores only the token\'s sha256: the token appears nowhere in the database files', async () => {
    const files = fs.readdirSync(dataDir).filter((f) => f.startsWith('stepflow.db')).map((f) => path.join(dataDir, f));
    expect(files.length).toBeGreaterThan(0);
    const bytes = Buffer.concat(files.map((f) => fs.readFileSync(f)));
    for (const secret of [token, oscarToken]) {
      expect(bytes.includes(secret)).toBe(false);
      expect(bytes.includes(secret.slice(3))).toBe(false);
      expect(bytes.includes(hashApiToken(secret))).toBe(true);
    }
    expect(hashApiToken(token)).toBe(crypto.createHash('sha256').update(token).digest('hex'));
  });
});

describe('AUTH=none', () => {
  let t: TestServer;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = tempDir('http-api-open');
    t = await startTestServer(dataDir);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('POST needs no token; tokens are refused with a clear reason', async () => {
    const id = (await t.trpc.workflows.create.mutate({ name: 'open', graph: exposedFill() })).id;
    const r = await call(`${t.url}/api/workflows/${id}/runs`, { body: { color: '#804020' } });
    expect(r.status).toBe(202);
    const run = await finished(`${t.url}${r.body.statusUrl}`);
    expect(run.status).toBe('succeeded');
    const png = await fetch(run.outputs[0].url);
    expect(await firstPixel(await png.arrayBuffer())).toEqual([0x80, 0x40, 0x20]);

    try {
      await t.trpc.tokens.create.mutate({ name: 'x' });
      throw new Error('expected PRECONDITION_FAILED');
    } catch (e) {
      expect(e).toBeInstanceOf(TRPCClientError);
      expect((e as TRPCClientError<any>).data?.code).toBe('PRECONDITION_FAILED');
      expect((e as Error).message).toContain('AUTH=none');
    }
  });
});
