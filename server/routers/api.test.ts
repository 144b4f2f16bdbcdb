// Integration over HTTP: input validation, coded graph problems, the workflow library, artifact 404s.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillGraph, startTestServer, tempDir, trpcRejection, type TestServer } from '../testing/harness';
import { GraphBuilder } from '../../nodes/onnx/builder';
import { float32ToFloat16 } from '../../nodes/runtime/float16';

/** A one-conv float16 model: enough for the listing to read its precision. */
function halfModel(): Uint8Array {
  const g = new GraphBuilder('half');
  const x = g.input('x', 'float16', [1, 3, 'h', 'w']);
  g.output(g.op('Conv', [x, g.initializer('w', float32ToFloat16(new Float32Array(27).fill(0.1)), [1, 3, 3, 3])]), 'y', 'float16');
  return g.toBytes();
}

let t: TestServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('api');
  fs.mkdirSync(path.join(dataDir, 'models', 'vae'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'models', 'vae', 'tiny.onnx'), 'not a real model');
  fs.mkdirSync(path.join(dataDir, 'models', 'upscalers'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'models', 'upscalers', 'half.onnx'), halfModel());
  t = await startTestServer(dataDir);
});

afterAll(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('input validation', () => {
  it('rejects bad input with a flattened zod error', async () => {
    const e = await trpcRejection(t.trpc.workflows.create.mutate({ name: '   ' }));
    expect(e.data?.code).toBe('BAD_REQUEST');
    expect(e.data?.zodError?.fieldErrors).toEqual({ name: ['give the workflow a name'] });

    const e2 = await trpcRejection(t.trpc.runs.list.query({ limit: 1000 }));
    expect(e2.data?.code).toBe('BAD_REQUEST');
    expect(Object.keys(e2.data?.zodError?.fieldErrors ?? {})).toEqual(['limit']);

    const e3 = await trpcRejection(t.trpc.runs.enqueue.mutate({}));
    expect(e3.data?.zodError?.fieldErrors).toEqual({ graph: ['give a graph or a workflowId'] });
  });

  it('rejects model names that leave the models folder', async () => {
    for (const name of ['../secrets.onnx', 'a/../../b.onnx', '/etc/passwd', 'x..y.onnx']) {
      const e = await trpcRejection(t.trpc.models.exists.query({ kind: 'vae', name }));
      expect(e.data?.code).toBe('BAD_REQUEST');
      expect((e.data?.zodError?.fieldErrors as Record<string, string[]>).name[0]).toMatch(/plain name inside the models folder/);
    }
    expect(await t.trpc.models.exists.query({ kind: 'vae', name: 'tiny.onnx' })).toEqual({ kind: 'vae', name: 'tiny.onnx', exists: true });
    expect(await t.trpc.models.list.query({ kind: 'vae' })).toEqual([{ kind: 'vae', names: ['tiny.onnx'], precision: {} }]);
  });

  it('lists each model\'s precision for the picker', async () => {
    expect(await t.trpc.models.list.query({ kind: 'upscalers' })).toEqual([{ kind: 'upscalers', names: ['half.onnx'], precision: { 'half.onnx': 'fp16' } }]);
  });
});

describe('graphs the engine refuses', () => {
  it('answers a malformed graph with coded problems', async () => {
    const e = await trpcRejection(t.trpc.runs.enqueue.mutate({ graph: { version: 1, nodes: 'fill', edges: [] } }));
    expect(e.data?.code).toBe('BAD_REQUEST');
    expect(e.data?.problems).toEqual([{ code: 'invalid_graph', message: 'nodes: Invalid input: expected array, received string' }]);
  });

  it('lists every semantic problem with its node id, and nothing is queued', async () => {
    const graph = {
      version: 1,
      nodes: [
        { id: 'mystery', type: 'no_such_node', params: {} },
        { id: 'grow', type: 'resize', params: { kernel: 'bogus' } },
        { id: 'save', type: 'save_image', params: {} },
      ],
      edges: [{ from: { node: 'grow', output: 'image' }, to: { node: 'save', input: 'images' } }],
    };
    const before = await t.server.services.db.run.count();
    const e = await trpcRejection(t.trpc.runs.enqueue.mutate({ graph }));
    const problems = e.data?.problems ?? [];
    expect(problems.map((p) => [p.code, p.nodeId, p.param ?? p.input ?? null]).sort()).toEqual([
      ['missing_input', 'grow', 'image'],
      ['param_invalid', 'grow', 'kernel'],
      ['unknown_node_type', 'mystery', null],
    ]);
    expect(e.message).toMatch(/^the graph cannot run: 3 problems/);
    expect(await t.server.services.db.run.count()).toBe(before);
  });

  it('refuses model names that leave the models folder, and models that do not exist', async () => {
    const graph = (modelName: string) => ({
      version: 1,
      nodes: [
        { id: 'fill', type: 'solid_color', params: { width: 8, height: 8 } },
        { id: 'loader', type: 'upscaler_loader', params: { model_name: modelName } },
        { id: 'up', type: 'upscale_image', params: {} },
        { id: 'save', type: 'save_image', params: {} },
      ],
      edges: [
        { from: { node: 'fill', output: 'image' }, to: { node: 'up', input: 'image' } },
        { from: { node: 'loader', output: 'upscale_model' }, to: { node: 'up', input: 'upscale_model' } },
        { from: { node: 'up', output: 'image' }, to: { node: 'save', input: 'images' } },
      ],
    });
    for (const name of ['../models/upscalers/x.onnx', 'upscalers/../../etc/passwd', '/etc/passwd', 'missing.onnx']) {
      const e = await trpcRejection(t.trpc.runs.enqueue.mutate({ graph: graph(name) }));
      expect(e.data?.problems?.map((p) => [p.code, p.nodeId, p.param])).toEqual([['unknown_model', 'loader', 'model_name']]);
    }
    // Saving keeps work in progress but reports the same problem.
    const wf = await t.trpc.workflows.create.mutate({ name: 'escape', graph: graph('../../secret.onnx') });
    expect(wf.problems.map((p) => p.code)).toEqual(['unknown_model']);
  });

  it('refuses a run whose seed control targets a param the node does not have', async () => {
    const graph = fillGraph();
    (graph.nodes[0] as Record<string, unknown>).controls = { seed: 'random' };
    const e = await trpcRejection(t.trpc.runs.enqueue.mutate({ graph }));
    expect(e.data?.problems?.map((p) => [p.code, p.nodeId, p.param])).toEqual([['param_invalid', 'fill', 'seed']]);
  });
});

describe('workflow library', () => {
  it('saves immutable versions, restores, renames, duplicates and deletes', async () => {
    const created = await t.trpc.workflows.create.mutate({ name: 'Poster', description: 'red' });
    expect(created).toMatchObject({ name: 'Poster', description: 'red', currentVersion: 1, thumbnailUrl: null });
    expect(created.problems.map((p) => p.code)).toEqual(['no_output']);

    // Work in progress with problems is saved (and the problems reported); a malformed graph is not.
    const wip = { version: 1, nodes: [{ id: 'save', type: 'save_image', params: {} }], edges: [] };
    const v2 = await t.trpc.workflows.save.mutate({ id: created.id, graph: wip, message: 'wip' });
    expect(v2.version).toBe(2);
    expect(v2.problems.map((p) => [p.code, p.nodeId])).toEqual([['missing_input', 'save']]);
    const bad = await trpcRejection(t.trpc.workflows.save.mutate({ id: created.id, graph: { nodes: [{ id: 7 }] } }));
    expect(bad.data?.problems?.[0].code).toBe('invalid_graph');

    const v3 = await t.trpc.workflows.save.mutate({ id: created.id, graph: fillGraph('#abcdef') });
    expect(v3).toEqual({ version: 3, problems: [] });
    const restored = await t.trpc.workflows.restore.mutate({ id: created.id, version: 2 });
    expect(restored.version).toBe(4);
    const current = await t.trpc.workflows.get.query({ id: created.id });
    expect(current.currentVersion).toBe(4);
    expect(current.version.graph.nodes.map((n) => n.id)).toEqual(['save']);
    expect((await t.trpc.workflows.get.query({ id: created.id, version: 3 })).version.graph.nodes[0].params).toEqual({
      width: 64, height: 32, color: '#abcdef',
    });
    expect((await t.trpc.workflows.versions.query({ id: created.id })).map((v) => [v.number, v.message])).toEqual([
      [4, 'restored version 2'], [3, ''], [2, 'wip'], [1, 'created'],
    ]);

    const renamed = await t.trpc.workflows.rename.mutate({ id: created.id, name: 'Poster v2' });
    expect(renamed.name).toBe('Poster v2');
    const copy = await t.trpc.workflows.duplicate.mutate({ id: created.id });
    expect(copy).toMatchObject({ name: 'Poster v2 (copy)', currentVersion: 1 });
    expect((await t.trpc.workflows.get.query({ id: copy.id })).version.graph.nodes.map((n) => n.id)).toEqual(['save']);

    await t.trpc.workflows.delete.mutate({ id: created.id });
    const names = (await t.trpc.workflows.list.query()).map((w) => w.name);
    expect(names).toContain('Poster v2 (copy)');
    expect(names).not.toContain('Poster v2');
    const gone = await trpcRejection(t.trpc.workflows.get.query({ id: created.id }));
    expect(gone.data?.code).toBe('NOT_FOUND');
  });

  it('creates from a shipped template only by plain file name', async () => {
    const e = await trpcRejection(t.trpc.workflows.create.mutate({ name: 'x', templateFile: '../package.json' }));
    expect(e.data?.code).toBe('NOT_FOUND');
    expect(e.message).toMatch(/must be a file name like image-ops\.json/);
  });
});

describe('run history', () => {
  it('pages newest first with a cursor, per workflow', async () => {
    const db = t.server.services.db;
    const wf = await t.trpc.workflows.create.mutate({ name: 'history', graph: fillGraph() });
    const base = Date.now() - 60_000;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await db.run.create({ data: { workflowId: wf.id, graph: '{}', status: 'succeeded', queuedAt: new Date(base + i * 1000) } });
      ids.push(r.id);
    }
    const newestFirst = [...ids].reverse();
    const p1 = await t.trpc.runs.list.query({ workflowId: wf.id, limit: 2 });
    expect(p1.items.map((r) => r.id)).toEqual(newestFirst.slice(0, 2));
    expect(p1.nextCursor).toBe(newestFirst[1]);
    const p2 = await t.trpc.runs.list.query({ workflowId: wf.id, limit: 2, cursor: p1.nextCursor! });
    expect(p2.items.map((r) => r.id)).toEqual(newestFirst.slice(2, 4));
    const p3 = await t.trpc.runs.list.query({ workflowId: wf.id, limit: 2, cursor: p2.nextCursor! });
    expect(p3.items.map((r) => r.id)).toEqual(newestFirst.slice(4));
    expect(p3.nextCursor).toBeNull();
    expect(p1.items[0]).toMatchObject({ workflowName: 'history', status: 'succeeded', thumbnailUrl: null, error: null });
  });
});

describe('artifacts endpoint', () => {
  it('answers an unknown id with a JSON 404', async () => {
    const res = await fetch(`${t.server.url}/api/artifacts/does-not-exist`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'no artifact "does-not-exist"' } });
  });
});
