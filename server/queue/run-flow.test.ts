// Integration: a run from enqueue to stored outputs, through a real worker process, DB and Socket.io.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillGraph, join, slowGraph, recordEvents, startTestServer, tempDir, until, type ReceivedEvent, type TestServer } from '../testing/harness';

let t: TestServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('flow');
  t = await startTestServer(dataDir);
});

afterAll(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function eventsOf(seen: ReceivedEvent[], runId: string) {
  return seen.filter((e) => e.payload.runId === runId);
}

function describeEvent(e: ReceivedEvent): string {
  return 'nodeId' in e.payload && e.payload.nodeId ? `${e.name}:${e.payload.nodeId}` : e.name;
}

describe('a run end to end', () => {
  it('streams events in order, records node results and stores the output file', async () => {
    const graph = fillGraph('#ff0000', 64, 32);
    const wf = await t.trpc.workflows.create.mutate({ name: 'red', graph });
    const before = await t.trpc.workflows.get.query({ id: wf.id });
    const sock = await t.socket();
    const seen = recordEvents(sock);
    expect(await join(sock, { workflowId: wf.id })).toEqual({ ok: true, room: `workflow:${wf.id}`, active: [] });

    const { runId, position } = await t.trpc.runs.enqueue.mutate({ workflowId: wf.id });
    expect(position).toBe(1);
    // Joining the run's room as well must not duplicate events (socket.io sends once per socket).
    await join(sock, { runId });
    await until(() => eventsOf(seen, runId).some((e) => e.name === 'run:finished' || e.name === 'run:failed'), 'the end of the run');

    const mine = eventsOf(seen, runId);
    expect(mine.map(describeEvent)).toEqual([
      'run:queued', 'run:started', 'node:started:fill', 'node:finished:fill',
      'node:started:save', 'node:finished:save', 'node:artifact', 'run:finished',
    ]);
    const started = mine.find((e) => e.name === 'run:started')!.payload as { nodeIds: string[]; workerId: string; workflowId: string };
    expect(started).toMatchObject({ nodeIds: ['fill', 'save'], workerId: '1', workflowId: wf.id });
    const fillDone = mine.find((e) => e.name === 'node:finished')!.payload as { outputs: { summary: string }[]; cached: boolean };
    expect(fillDone.cached).toBe(false);
    expect(fillDone.outputs[0].summary).toBe('IMAGE 1x3x32x64');

    const db = t.server.services.db;
    const run = await db.run.findUniqueOrThrow({ where: { id: runId }, include: { nodeResults: true, artifacts: true } });
    expect(run.status).toBe('succeeded');
    expect(run.workerId).toBe('1');
    expect(run.totalMs).toBeGreaterThan(0);
    expect(run.finishedAt!.getTime()).toBeGreaterThanOrEqual(run.startedAt!.getTime());
    expect(run.nodeResults.map((n) => [n.nodeId, n.type, n.status, n.cached]).sort()).toEqual([
      ['fill', 'solid_color', 'succeeded', false],
      ['save', 'save_image', 'succeeded', false],
    ]);
    expect(JSON.parse(run.nodeResults.find((n) => n.nodeId === 'fill')!.outputs)).toEqual([
      { name: 'image', type: 'IMAGE', summary: 'IMAGE 1x3x32x64', details: { dims: [1, 3, 32, 64] } },
    ]);

    expect(run.artifacts.map((a) => a.kind).sort()).toEqual(['image', 'thumbnail']);
    const art = run.artifacts.find((a) => a.kind === 'image')!;
    expect(art).toMatchObject({ kind: 'image', nodeId: 'save', filename: 'out_000.png', mime: 'image/png', width: 64, height: 32 });
    const file = path.join(dataDir, art.path);
    expect(art.path).toBe(`artifacts/${art.sha256.slice(0, 2)}/${art.sha256}.png`);
    const bytes = fs.readFileSync(file);
    expect(crypto.createHash('sha256').update(bytes).digest('hex')).toBe(art.sha256);
    expect(bytes.length).toBe(art.size);
    const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([64, 32]);
    expect([...data.subarray(0, info.channels)].slice(0, 3)).toEqual([255, 0, 0]);

    // The finish event and the artifact endpoint agree with the row.
    const finished = mine.at(-1)!.payload as { artifacts: { id: string; url: string }[] };
    expect(finished.artifacts).toEqual([expect.objectContaining({ id: art.id, url: `/api/artifacts/${art.id}` })]);
    const res = await fetch(`${t.server.url}/api/artifacts/${art.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('etag')).toBe(`"${art.sha256}"`);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    const again = await fetch(`${t.server.url}/api/artifacts/${art.id}`, { headers: { 'If-None-Match': `"${art.sha256}"` } });
    expect(again.status).toBe(304);

    // The library thumbnail is the newest output as WebP (a 64x32 image is not enlarged); a run is not an edit.
    const thumb = run.artifacts.find((a) => a.kind === 'thumbnail')!;
    expect(thumb).toMatchObject({ mime: 'image/webp', width: 64, height: 32 });
    const after = await t.trpc.workflows.get.query({ id: wf.id });
    expect(after.thumbnailUrl).toBe(`/api/artifacts/${thumb.id}`);
    const webp = Buffer.from(await (await fetch(`${t.server.url}${after.thumbnailUrl}`)).arrayBuffer());
    const px = await sharp(webp).raw().toBuffer({ resolveWithObject: true });
    expect([px.info.width, px.info.height]).toEqual([64, 32]);
    expect([...px.data.subarray(0, 3)].map((v) => Math.round(v / 8))).toEqual([32, 0, 0]); // red survives lossy WebP
    expect(after.updatedAt.getTime()).toBe(before.updatedAt.getTime());

    const detail = await t.trpc.runs.get.query({ runId });
    expect(detail.status).toBe('succeeded');
    expect(detail.nodes.map((n) => n.id).sort()).toEqual(['fill', 'save']);
    expect(detail.artifacts.map((a) => a.url)).toEqual([`/api/artifacts/${art.id}`]);
    const list = await t.trpc.runs.list.query({ workflowId: wf.id, limit: 10 });
    expect(list.items.map((r) => [r.id, r.status, r.thumbnailUrl])).toEqual([[runId, 'succeeded', `/api/artifacts/${art.id}`]]);
  });

  it('reuses cached node outputs on an identical second run and shares the content-addressed file', async () => {
    const graph = fillGraph('#00ff00', 40, 24);
    const first = await t.trpc.runs.enqueue.mutate({ graph });
    const a = await until(async () => {
      const r = await t.trpc.runs.get.query({ runId: first.runId });
      return r.status === 'succeeded' ? r : undefined;
    }, 'first run');
    const second = await t.trpc.runs.enqueue.mutate({ graph });
    const b = await until(async () => {
      const r = await t.trpc.runs.get.query({ runId: second.runId });
      return r.status === 'succeeded' ? r : undefined;
    }, 'second run');
    expect(a.nodes.every((n) => !n.cached)).toBe(true);
    expect(b.nodes.map((n) => [n.id, n.cached]).sort()).toEqual([['fill', true], ['save', true]]);
    // The embedded graph is the same, so the PNG is byte-identical and stored once.
    expect(b.artifacts[0].sha256).toBe(a.artifacts[0].sha256);
    expect(b.artifacts[0].id).not.toBe(a.artifacts[0].id);
  });

  it('dispatches by priority, then age, and tells waiting runs their new positions', async () => {
    const sock = await t.socket();
    const seen = recordEvents(sock);
    // Occupy the single worker, then queue three runs behind it.
    const blocker = await t.trpc.runs.enqueue.mutate({ graph: slowGraph() });
    await until(async () => (await t.trpc.runs.get.query({ runId: blocker.runId })).status === 'running' || undefined, 'blocker running');
    const low = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#020202', 8, 8) });
    await join(sock, { runId: low.runId });
    const low2 = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#030303', 8, 8) });
    const high = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#040404', 8, 8), priority: 5 });
    expect([low.position, low2.position, high.position]).toEqual([1, 2, 1]);
    await until(() => seen.some((e) => e.name === 'run:position' && e.payload.runId === low.runId) || undefined, 'position update');
    expect(seen.find((e) => e.name === 'run:position' && e.payload.runId === low.runId)!.payload).toEqual({ runId: low.runId, position: 2 });

    const ids = [low.runId, low2.runId, high.runId];
    const done = await until(async () => {
      const rows = await t.server.services.db.run.findMany({ where: { id: { in: ids } } });
      return rows.every((r) => r.status === 'succeeded') ? rows : undefined;
    }, 'three queued runs');
    const order = [...done].sort((x, y) => x.startedAt!.getTime() - y.startedAt!.getTime()).map((r) => r.id);
    expect(order).toEqual([high.runId, low.runId, low2.runId]);
  });

  it('runs the shipped image-ops template, reading its example input image', async () => {
    const templates = await t.trpc.workflows.templates.query();
    expect(templates.map((x) => x.file)).toContain('image-ops.json');
    const wf = await t.trpc.workflows.create.mutate({ name: 'ops', templateFile: 'image-ops.json' });
    expect(wf.problems).toEqual([]);
    const { runId } = await t.trpc.runs.enqueue.mutate({ workflowId: wf.id });
    const run = await until(async () => {
      const r = await t.trpc.runs.get.query({ runId });
      return ['succeeded', 'failed'].includes(r.status) ? r : undefined;
    }, 'the image-ops run');
    expect(run.error).toBeNull();
    expect(run.artifacts).toHaveLength(1);
    expect(run.artifacts[0]).toMatchObject({ filename: 'image-ops_000.png', width: 512, height: 512 });
    const png = fs.readFileSync(path.join(dataDir, (await t.server.services.db.artifact.findUniqueOrThrow({ where: { id: run.artifacts[0].id } })).path));
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
    // Scaled x2 (nearest): background #2040c0 at the right edge, the #e02020 square from 128 to 384.
    expect(px(500, 10)).toEqual([0x20, 0x40, 0xc0]);
    expect(px(300, 300)).toEqual([0xe0, 0x20, 0x20]);
  });

  it('runs only a target and its ancestors ("run to here")', async () => {
    const graph = fillGraph('#ffffff', 8, 8);
    const { runId } = await t.trpc.runs.enqueue.mutate({ graph, targets: ['fill'] });
    const run = await until(async () => {
      const r = await t.trpc.runs.get.query({ runId });
      return ['succeeded', 'failed'].includes(r.status) ? r : undefined;
    }, 'the targeted run');
    expect(run.status).toBe('succeeded');
    expect(run.targets).toEqual(['fill']);
    expect(run.nodes.map((n) => n.id)).toEqual(['fill']);
    // No output file; only the inspector's thumbnail of the target's image (8x8 white).
    expect(run.artifacts.map((a) => [a.kind, a.nodeId, a.mime, a.width, a.height])).toEqual([['inspect', 'fill', 'image/png', 8, 8]]);
    const bad = await t.trpc.runs.enqueue.mutate({ graph, targets: ['nowhere'] }).catch((e: { data?: { problems?: { code: string }[] } }) => e.data?.problems);
    expect(bad).toEqual([expect.objectContaining({ code: 'unknown_node', nodeId: 'nowhere' })]);
  });

  it('runs to a subgraph node: its inner nodes run, the thumbnail is its output socket\'s, under its id', async () => {
    const { nodes: [fill, save] } = fillGraph('#0000ff', 8, 8);
    const graph = {
      version: 3 as const,
      nodes: [{ id: 'sub', type: 'subgraph', typeVersion: 1, params: {}, subgraph: 'fills' }, save],
      edges: [{ from: { node: 'sub', output: 'picture' }, to: { node: 'save', input: 'images' } }],
      subgraphs: { fills: { name: 'Fills', nodes: [fill], edges: [], inputs: [], outputs: [{ name: 'picture', type: 'IMAGE', from: { node: 'fill', output: 'image' } }], params: [] } },
    };
    const { runId } = await t.trpc.runs.enqueue.mutate({ graph, targets: ['sub'] });
    const run = await until(async () => {
      const r = await t.trpc.runs.get.query({ runId });
      return ['succeeded', 'failed'].includes(r.status) ? r : undefined;
    }, 'the run to the subgraph node');
    expect(run.status).toBe('succeeded');
    expect(run.nodes.map((n) => n.id)).toEqual(['sub/fill']);
    expect(run.artifacts.map((a) => [a.kind, a.nodeId, a.width, a.height])).toEqual([['inspect', 'sub', 8, 8]]);
  });
});
