// gallery.list through the real server with accounts on: my images only, newest first, one workflow's or all, with
// the seed and prompt of the graph each run stored, my rating, and pages that follow on.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../nodes/engine/graph';
import { spritesCheckpointPart } from '../../nodes/pack/checkpoint';
import { ensurePack } from '../../nodes/pack/generate';
import { workflowsDir } from '../paths';
import { fillGraph, runEnded, sessionClient, startTeamServer, tempDir, trpcOutcome, type TeamServer } from '../testing/harness';

let t: TeamServer;
const modelsDir = tempDir('gallery-models');

beforeAll(async () => {
  await ensurePack(modelsDir, { parts: [spritesCheckpointPart] });
  t = await startTeamServer('gallery', { MODELS_DIR: modelsDir });
}, 120_000);

afterAll(async () => {
  await t?.close();
  fs.rmSync(modelsDir, { recursive: true, force: true });
});

function txt2img(seed: number, prompt: string): Graph {
  const g = JSON.parse(fs.readFileSync(path.join(workflowsDir, 'txt2img.json'), 'utf8')) as Graph;
  const sampler = g.nodes.find((n) => n.id === 'sampler')!;
  Object.assign(sampler.params, { seed, steps: 4 });
  sampler.controls = { seed: 'increment' };
  g.nodes.find((n) => n.id === 'positive')!.params.text = prompt;
  return g;
}

describe('gallery.list', () => {
  it("lists my images newest first with their runs' seeds and prompts; others' stay out", async () => {
    const wf = await t.ann.trpc.workflows.create.mutate({ name: 'circles', graph: txt2img(500, 'red circle on blue background') });
    const batch = await t.ann.trpc.runs.enqueue.mutate({ workflowId: wf.id, graph: txt2img(500, 'red circle on blue background'), count: 2 });
    for (const r of batch.runs) expect((await runEnded(t.ann, r.runId)).status).toBe('succeeded');
    const adHoc = await t.ann.trpc.runs.enqueue.mutate({ graph: fillGraph('#00ff00', 16, 8) });
    expect((await runEnded(t.ann, adHoc.runId)).status).toBe('succeeded');
    const bobs = await t.bob.trpc.runs.enqueue.mutate({ graph: txt2img(7, 'green square on white background') });
    expect((await runEnded(t.bob, bobs.runId)).status).toBe('succeeded');

    const all = await t.ann.trpc.gallery.list.query({});
    // Newest first; the two runs of the batch end together, in either order.
    expect(all.items[0].runId).toBe(adHoc.runId);
    expect(all.items.slice(1).map((i) => i.runId).sort()).toEqual(batch.runs.map((r) => r.runId).sort());
    expect(all.items[0]).toMatchObject({ width: 16, height: 8, workflowId: null, params: { seed: null, prompt: null } });
    // The increment control is applied before each run (500 → 501, 502); each card says the seed its run used.
    const seedOf = new Map(all.items.map((i) => [i.runId, i.params.seed]));
    expect(batch.runs.map((r) => seedOf.get(r.runId))).toEqual([501, 502]);
    expect(all.items[1]).toMatchObject({
      workflowId: wf.id, workflowName: 'circles', width: 256, height: 256,
      params: { prompt: 'red circle on blue background', negative: '', steps: 4, cfg: 7.5, sampler: 'euler', checkpoint: 'sprites' },
    });
    const image = await fetch(`${t.url}${all.items[1].url}`, { headers: { cookie: t.ann.cookie() } });
    expect(image.headers.get('content-type')).toBe('image/png');

    expect((await t.ann.trpc.gallery.list.query({ workflowId: wf.id })).items.map((i) => i.runId)).toEqual(all.items.slice(1).map((i) => i.runId));
    expect((await t.bob.trpc.gallery.list.query({})).items.map((i) => [i.runId, i.params.prompt])).toEqual([[bobs.runId, 'green square on white background']]);
    expect(await trpcOutcome(sessionClient(t.url).trpc.gallery.list.query({}))).toBe('UNAUTHORIZED');

    // Pages follow on without repeats; my rating comes back with the image.
    const first = await t.ann.trpc.gallery.list.query({ limit: 2 });
    expect(first.items).toHaveLength(2);
    const rest = await t.ann.trpc.gallery.list.query({ limit: 2, cursor: first.nextCursor! });
    expect([...first.items, ...rest.items].map((i) => i.artifactId)).toEqual(all.items.map((i) => i.artifactId));
    expect(rest.nextCursor).toBeNull();
    await t.ann.trpc.runs.rate.mutate({ runId: all.items[2].runId, artifactId: all.items[2].artifactId, score: 4 });
    expect((await t.ann.trpc.gallery.list.query({})).items.map((i) => i.myRating)).toEqual([null, null, 4]);
  }, 120_000);
});
