// Preview Image through the real server (SQLite, a forked worker): its pictures are recorded as `temp` artifacts,
// shown in the run's results and on its node, never in the gallery, never the library card, and pruned with the step
// previews of runs older than PREVIEW_RUNS_KEPT; a Save Image beside it is untouched.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../nodes/engine/graph';
import { join, recordEvents, runEnded, startTestServer, tempDir, until, type TestServer } from '../testing/harness';
import { RunRecorder } from './run-recorder';

const dataDir = tempDir('preview-image');
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer(dataDir, { PREVIEW_RUNS_KEPT: '1' });
}, 60_000);

afterAll(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A solid colour saved by Save Image and shown by Preview Image (after a resize, so the two pictures differ). */
function graph(color: string): Graph {
  return {
    version: 2,
    nodes: [
      { id: 'fill', type: 'solid_color', typeVersion: 1, params: { width: 24, height: 16, color } },
      { id: 'small', type: 'resize', typeVersion: 1, params: { width: 12, height: 8, kernel: 'nearest' } },
      { id: 'save', type: 'save_image', typeVersion: 1, params: { filename_prefix: 'kept' } },
      { id: 'look', type: 'preview_image', typeVersion: 1, params: {} },
    ],
    edges: [
      { from: { node: 'fill', output: 'image' }, to: { node: 'save', input: 'images' } },
      { from: { node: 'fill', output: 'image' }, to: { node: 'small', input: 'image' } },
      { from: { node: 'small', output: 'image' }, to: { node: 'look', input: 'images' } },
    ],
  };
}

/** The run's artifacts except the library card's WebP (checked on its own). */
const kinds = async (runId: string) =>
  (await t.server.services.db.artifact.findMany({ where: { runId, kind: { not: 'thumbnail' } }, orderBy: { kind: 'asc' } }))
    .map((a) => [a.nodeId, a.kind, a.filename, a.width, a.height]);

describe('Preview Image', () => {
  let first: { runId: string; workflowId: string; tempPath: string };

  it('records its picture as a temp artifact, announced with its kind; the gallery and the card show only Save Image', async () => {
    const wf = await t.trpc.workflows.create.mutate({ name: 'preview', graph: graph('#ff0000') });
    const socket = await t.socket();
    await join(socket, { workflowId: wf.id });
    const events = recordEvents(socket);
    const { runId } = await t.trpc.runs.enqueue.mutate({ workflowId: wf.id, graph: graph('#ff0000') });
    const run = await runEnded(t, runId);
    expect(run.status).toBe('succeeded');

    expect(await kinds(runId)).toEqual([
      ['save', 'image', 'kept_000.png', 24, 16],
      ['look', 'temp', 'preview_000.png', 12, 8],
    ]);
    // The run's results list both, each with its kind (the editor marks the preview "not saved").
    expect(run.artifacts.map((a) => [a.nodeId, a.kind])).toEqual([['save', 'image'], ['look', 'temp']]);
    const announced = await until(() => {
      const refs = events.filter((e) => e.name === 'node:artifact').map((e) => e.payload as { artifact: { nodeId: string; kind?: string } });
      return refs.length === 2 ? refs.map((r) => [r.artifact.nodeId, r.artifact.kind]) : undefined;
    }, 'two node:artifact events');
    expect(announced.sort()).toEqual([['look', 'temp'], ['save', 'image']]);

    // Served like any artifact: a 12x8 red PNG.
    const temp = run.artifacts.find((a) => a.kind === 'temp')!;
    const res = await fetch(`${t.url}${temp.url}`);
    expect(res.headers.get('content-type')).toBe('image/png');
    const { data, info } = await sharp(Buffer.from(await res.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, data[0], data[1], data[2]]).toEqual([12, 8, 255, 0, 0]);

    const gallery = await t.trpc.gallery.list.query({});
    expect(gallery.items.map((i) => [i.runId, i.width, i.height])).toEqual([[runId, 24, 16]]);
    const saved = run.artifacts.find((a) => a.kind === 'image')!;
    const card = await t.server.services.db.workflow.findUniqueOrThrow({ where: { id: wf.id } });
    expect(card.lastOutputArtifactId).toBe(saved.id);
    const thumb = await t.server.services.db.artifact.findUniqueOrThrow({ where: { id: card.thumbnailArtifactId! } });
    expect([thumb.nodeId, thumb.kind, thumb.width, thumb.height]).toEqual(['save', 'thumbnail', 24, 16]);
    // Ratings are for saved outputs: the run's rated output is the Save Image one.
    expect((await t.trpc.runs.list.query({ workflowId: wf.id })).items[0].outputId).toBe(saved.id);

    const row = await t.server.services.db.artifact.findUniqueOrThrow({ where: { id: temp.id } });
    first = { runId, workflowId: wf.id, tempPath: path.join(dataDir, row.path) };
    expect(fs.existsSync(first.tempPath)).toBe(true);
  }, 120_000);

  it('keeps previews of the newest PREVIEW_RUNS_KEPT runs only: older ones lose rows and files, saved outputs stay', async () => {
    const { runId } = await t.trpc.runs.enqueue.mutate({ workflowId: first.workflowId, graph: graph('#0000ff') });
    expect((await runEnded(t, runId)).status).toBe('succeeded');
    // The prune runs after the run's end is recorded; PREVIEW_RUNS_KEPT=1 keeps this run's preview only.
    await until(async () => ((await kinds(first.runId)).length === 1 && !fs.existsSync(first.tempPath) ? true : undefined), 'the first run\'s preview to be pruned');
    expect(await kinds(first.runId)).toEqual([['save', 'image', 'kept_000.png', 24, 16]]);
    expect(await kinds(runId)).toEqual([
      ['save', 'image', 'kept_000.png', 24, 16],
      ['look', 'temp', 'preview_000.png', 12, 8],
    ]);
    expect((await t.trpc.runs.get.query({ runId: first.runId })).artifacts.map((a) => a.kind)).toEqual(['image']);
  }, 120_000);

  it('never makes a preview the library card, even when it is the only picture of a run', async () => {
    const wf = await t.trpc.workflows.create.mutate({ name: 'only preview', graph: graph('#00ff00') });
    const recorder = new RunRecorder(t.server.services.db, t.server.services.artifacts);
    const row = await t.server.services.db.run.create({ data: { graph: '{}', status: 'running', workflowId: wf.id, startedAt: new Date() } });
    const png = new Uint8Array(await sharp({ create: { width: 4, height: 4, channels: 3, background: '#00ff00' } }).png().toBuffer());
    const refs = await recorder.finish({ runId: row.id, workflowId: wf.id }, {
      runId: row.id, status: 'succeeded', totalMs: 1, ortMs: 0, nodes: [],
      artifacts: [{ nodeId: 'look', kind: 'temp', filename: 'preview_000.png', mime: 'image/png', bytes: png, width: 4, height: 4 }],
    });
    expect(refs.map((r) => [r.nodeId, r.kind])).toEqual([['look', 'temp']]);
    const card = await t.server.services.db.workflow.findUniqueOrThrow({ where: { id: wf.id } });
    expect([card.lastOutputArtifactId, card.thumbnailArtifactId]).toEqual([null, null]);
    expect((await t.trpc.gallery.list.query({ workflowId: wf.id })).items).toEqual([]);
  });
});
