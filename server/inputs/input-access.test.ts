// Uploaded input images belong to their uploaders (AUTH=local, real server and worker): Load Image runs only
// my uploads, the shipped examples, and uploads a workflow I may view names (its owner's); /api/inputs/<name>
// answers by the same rule (plus WORKER_TOKEN for remote workers); refused and unknown look the same.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  sessionClient, trpcRejection, until, type SessionClient, startTeamServer, type TeamServer,
} from '../testing/harness';
import { adoptOwnerless } from '../auth/admin';
import { WorkerApiClient } from '../cluster/api-client';
import { storeUpload } from './uploads';

const WORKER_TOKEN = 'worker-token-for-input-tests';
let t: TeamServer;
let dataDir: string;
let ann: SessionClient;
let bob: SessionClient;
/** Ann's upload: a 24x16 teal PNG. */
let annImage: string;

function loadGraph(image: string) {
  return {
    version: 1 as const,
    nodes: [
      { id: 'load', type: 'load_image', typeVersion: 1, params: { image } },
      { id: 'save', type: 'save_image', typeVersion: 1, params: {} },
    ],
    edges: [{ from: { node: 'load', output: 'image' }, to: { node: 'save', input: 'images' } }],
  };
}

async function upload(c: SessionClient, rgb: [number, number, number], name = 'photo.png'): Promise<string> {
  const bytes = await sharp({ create: { width: 24, height: 16, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
  return (await c.trpc.inputs.upload.mutate({ name, base64: bytes.toString('base64') })).name;
}

/** Status and JSON error (or null for an image) of GET /api/inputs/<name>. */
async function getInput(name: string, opts: { cookie?: string; query?: string; bearer?: string } = {}) {
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  const res = await fetch(`${t.url}/api/inputs/${name}${opts.query ?? ''}`, { headers });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, error: res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(body.toString()) : null };
}

async function runOutcome(c: SessionClient, input: Parameters<SessionClient['trpc']['runs']['enqueue']['mutate']>[0]) {
  const { runId } = await c.trpc.runs.enqueue.mutate(input);
  const run = await until(async () => {
    const r = await c.trpc.runs.get.query({ runId });
    return ['succeeded', 'failed'].includes(r.status) ? r : undefined;
  }, `run ${runId}`);
  return run.status;
}

beforeAll(async () => {
  t = await startTeamServer('input-access', { WORKER_TOKEN });
  ({ dataDir, ann, bob } = t);
  annImage = await upload(ann, [0, 128, 128]);
}, 60_000);

afterAll(() => t?.close());

describe('running Load Image', () => {
  it('refuses another user\'s upload named in my own graph, exactly like an unknown name, naming no file or folder', async () => {
    const refused = await trpcRejection(bob.trpc.runs.enqueue.mutate({ graph: loadGraph(annImage) }));
    const unknown = await trpcRejection(bob.trpc.runs.enqueue.mutate({ graph: loadGraph(`${'0'.repeat(32)}.png`) }));
    expect(refused.data?.code).toBe('BAD_REQUEST');
    expect(refused.message).toBe(`the graph cannot run: 1 problem (node "load" param "image": input image "${annImage}" is unknown)`);
    expect(refused.data?.problems).toEqual([
      { code: 'unknown_input_image', nodeId: 'load', param: 'image', message: `node "load" param "image": input image "${annImage}" is unknown` },
    ]);
    expect(unknown.message.replace(`${'0'.repeat(32)}.png`, annImage)).toBe(refused.message);
    expect(refused.message).not.toContain(dataDir);
    // Nor through a workflow of mine that names it: a workflow passes on only its owner's uploads.
    const mine = await bob.trpc.workflows.create.mutate({ name: 'borrowed', graph: loadGraph(annImage) });
    expect((await trpcRejection(bob.trpc.runs.enqueue.mutate({ workflowId: mine.id }))).data?.problems?.[0]?.code).toBe('unknown_input_image');
  });

  it('runs my own uploads, the shipped examples, and the owner\'s upload through a workflow I may view', async () => {
    expect(await runOutcome(ann, { graph: loadGraph(annImage) })).toBe('succeeded');
    expect(await runOutcome(bob, { graph: loadGraph('example.png') })).toBe('succeeded');
    const w = await ann.trpc.workflows.create.mutate({ name: 'teal', graph: loadGraph(annImage) });
    const { shareToken } = await ann.trpc.workflows.setVisibility.mutate({ id: w.id, visibility: 'link' });
    // Bob runs it as saved, and his edited canvas of it (view mode) that still names the owner's upload.
    expect(await runOutcome(bob, { workflowId: w.id, shareToken: shareToken! })).toBe('succeeded');
    const edited = { ...loadGraph(annImage), nodes: [loadGraph(annImage).nodes[0], { id: 'save', type: 'save_image', typeVersion: 1, params: { filename_prefix: 'bob' } }] };
    expect(await runOutcome(bob, { workflowId: w.id, shareToken: shareToken!, graph: edited })).toBe('succeeded');
    // Without the token the workflow is not his to see, so it gives him nothing.
    expect((await trpcRejection(bob.trpc.runs.enqueue.mutate({ workflowId: w.id, graph: edited }))).data?.code).toBe('NOT_FOUND');
  });

  it('a fork keeps working: the forker gets the source owner\'s uploads it names', async () => {
    const w = await ann.trpc.workflows.create.mutate({ name: 'to fork', graph: loadGraph(annImage) });
    await ann.trpc.workflows.setVisibility.mutate({ id: w.id, visibility: 'public' });
    const fork = await bob.trpc.workflows.fork.mutate({ id: w.id });
    expect(await runOutcome(bob, { workflowId: fork.id })).toBe('succeeded');
    expect((await bob.trpc.inputs.list.query()).map((u) => [u.name, u.originalName])).toContainEqual([annImage, 'photo.png']);
  });

  it('uploads from AUTH=none days go to the admin with the ownerless workflows', async () => {
    const bytes = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#804020' } }).png().toBuffer();
    const stored = await storeUpload(dataDir, 'old.png', new Uint8Array(bytes), t.server.services.env.MAX_IMAGE_PIXELS);
    const db = t.server.services.db;
    await db.upload.create({ data: { ...stored, originalName: 'old.png', userId: null } });
    await adoptOwnerless(db, t.server.services.env, () => undefined);
    const root = sessionClient(t.url);
    await root.trpc.auth.signIn.mutate({ username: 'root', password: 'admin-secret-1' });
    expect((await root.trpc.inputs.list.query()).map((u) => u.name)).toEqual([stored.name]);
    expect(await runOutcome(root, { graph: loadGraph(stored.name) })).toBe('succeeded');
  });

  it('the same bytes uploaded by two users are both users\'', async () => {
    const carl = sessionClient(t.url);
    await carl.trpc.auth.signUp.mutate({ username: 'carl', password: 'carl-password' });
    expect(await upload(carl, [0, 128, 128], 'same.png')).toBe(annImage);
    expect((await carl.trpc.inputs.list.query()).map((u) => [u.name, u.originalName])).toEqual([[annImage, 'same.png']]);
    expect(await runOutcome(carl, { graph: loadGraph(annImage) })).toBe('succeeded');
    expect((await getInput(annImage, { cookie: carl.cookie() })).status).toBe(200);
  });
});

describe('the HTTP API', () => {
  it('an exposed image input takes only names the caller may use; the saved one runs through the workflow', async () => {
    const other = await upload(ann, [90, 90, 10], 'not-in-the-workflow.png');
    const graph = { ...loadGraph(annImage), meta: { exposed: [{ name: 'image', node: 'load', param: 'image' }] } };
    const w = await ann.trpc.workflows.create.mutate({ name: 'api image', graph });
    await ann.trpc.workflows.setVisibility.mutate({ id: w.id, visibility: 'public' });
    const { token } = await bob.trpc.tokens.create.mutate({ name: 'bob script' });
    const post = async (body: unknown) => {
      const res = await fetch(`${t.url}/api/workflows/${w.id}/runs`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    };
    const refused = await post({ image: other });
    expect(refused.status).toBe(422);
    expect(refused.body.error.problems).toEqual([
      { code: 'unknown_input_image', nodeId: 'load', param: 'image', message: `node "load" param "image": input image "${other}" is unknown` },
    ]);
    const saved = await post({});
    expect(saved.status).toBe(202);
    expect(await until(async () => {
      const r = await bob.trpc.runs.get.query({ runId: saved.body.runId });
      return ['succeeded', 'failed'].includes(r.status) ? r.status : undefined;
    }, 'the API run')).toBe('succeeded');
  });
});

describe('GET /api/inputs/<name>', () => {
  /** Another upload of Ann's, which nobody has forked or re-uploaded above. */
  let secret: string;
  beforeAll(async () => {
    secret = await upload(ann, [200, 40, 10], 'secret.png');
  });

  it('serves an upload to its owner and the examples to anyone; others get the unknown-name 404', async () => {
    expect(await getInput(secret, { cookie: ann.cookie() })).toEqual({ status: 200, error: null });
    expect(await getInput('example.png')).toEqual({ status: 200, error: null });
    const notFound = { status: 404, error: { error: { code: 'not_found', message: `no input image "${secret}"` } } };
    expect(await getInput(secret, { cookie: bob.cookie() })).toEqual(notFound);
    expect(await getInput(secret)).toEqual(notFound);
    const { token } = await ann.trpc.tokens.create.mutate({ name: 'script' });
    expect((await getInput(secret, { bearer: token })).status).toBe(200);
  });

  it('serves the owner\'s upload to viewers of a workflow that names it (?workflow=&share=), not through any other', async () => {
    const w = await ann.trpc.workflows.create.mutate({ name: 'thumb', graph: loadGraph(secret) });
    const { shareToken } = await ann.trpc.workflows.setVisibility.mutate({ id: w.id, visibility: 'link' });
    const via = `?workflow=${w.id}&share=${encodeURIComponent(shareToken!)}`;
    expect((await getInput(secret, { cookie: bob.cookie(), query: via })).status).toBe(200);
    expect((await getInput(secret, { query: via })).status).toBe(200); // anonymous link viewers see the thumbnail too
    expect((await getInput(secret, { cookie: bob.cookie(), query: `?workflow=${w.id}&share=${'A'.repeat(32)}` })).status).toBe(404);
    const bobs = await bob.trpc.workflows.create.mutate({ name: 'names it', graph: loadGraph(secret) });
    expect((await getInput(secret, { cookie: bob.cookie(), query: `?workflow=${bobs.id}` })).status).toBe(404);
    const other = await ann.trpc.workflows.create.mutate({ name: 'does not name it', graph: loadGraph('example.png') });
    const { shareToken: otherToken } = await ann.trpc.workflows.setVisibility.mutate({ id: other.id, visibility: 'link' });
    expect((await getInput(secret, { query: `?workflow=${other.id}&share=${otherToken}` })).status).toBe(404);
  });

  it('serves any input to a worker host with WORKER_TOKEN (the worker API client fetches with it)', async () => {
    expect((await getInput(secret, { bearer: WORKER_TOKEN })).status).toBe(200);
    expect((await getInput(secret, { bearer: 'not-the-worker-token' })).status).toBe(404);
    const bytes = await new WorkerApiClient([new URL(t.url)], WORKER_TOKEN, () => undefined).input(secret);
    expect(Buffer.from(bytes!).equals(fs.readFileSync(path.join(dataDir, 'inputs', secret)))).toBe(true);
    expect(await new WorkerApiClient([new URL(t.url)], 'not-the-worker-token', () => undefined).input(secret)).toBeNull();
  });
});
