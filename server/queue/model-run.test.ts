// Integration on the built-in sprites model: a txt2img run with seed controls, progress and step previews
// (drawn only while someone watches, paced to PREVIEW_FPS, every step's latents stored and drawn on request).
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph, SeedControl } from '../../nodes/engine/graph';
import { latentToRgb } from '../../nodes/models/latent-rgb';
import { tensorToHwc } from '../../nodes/runtime/image';
import { channelStats, type ChannelStats } from '../../nodes/runtime/tensor';
import { spritesCheckpointPart } from '../../nodes/pack/checkpoint';
import { ensurePack } from '../../nodes/pack/generate';
import { workflowsDir } from '../paths';
import { StepStore } from '../steps/step-store';
import { join, recordEvents, runEnded, startTestServer, tempDir, until, type TestServer } from '../testing/harness';

let t: TestServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('model-run');
  await ensurePack(path.join(dataDir, 'models'), { parts: [spritesCheckpointPart] });
  // One run per worker: these tests are about the line (clearing waiting runs); batching has its own (batching.test.ts).
  t = await startTestServer(dataDir, { MAX_BATCH: '1' });
});

afterAll(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function txt2img(seed: number, control: SeedControl): Graph {
  const g = JSON.parse(fs.readFileSync(path.join(workflowsDir, 'txt2img.json'), 'utf8')) as Graph;
  const sampler = g.nodes.find((n) => n.type === 'sampler')!;
  sampler.params.seed = seed;
  sampler.controls = { seed: control };
  return g;
}

const seedOf = (g: Graph) => g.nodes.find((n) => n.type === 'sampler')!.params.seed as number;

const finished = (runId: string) => runEnded(t, runId);

describe('txt2img on the built-in model', () => {
  it('applies the seed control, streams progress and paced previews, stores every step for the timeline', async () => {
    const wf = await t.trpc.workflows.create.mutate({ name: 'sprites', graph: txt2img(41, 'increment') });
    const sock = await t.socket();
    const seen = recordEvents(sock);
    await join(sock, { workflowId: wf.id });

    const { runId, graph } = await t.trpc.runs.enqueue.mutate({ workflowId: wf.id, graph: txt2img(41, 'increment') });
    expect(seedOf(graph)).toBe(42);
    const run = await finished(runId);
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    expect(seedOf(run.graph)).toBe(42);

    const mine = seen.filter((e) => e.payload.runId === runId);
    const progress = mine.filter((e) => e.name === 'node:progress').map((e) => (e.payload as { step: number; total: number }));
    // Progress is thinned to the preview rate for browsers: the first step, then increasing, always the last.
    const shown = progress.map((p) => p.step);
    expect([shown[0], shown.at(-1)]).toEqual([1, 20]);
    expect(shown).toEqual([...new Set(shown)].sort((a, b) => a - b));
    expect(progress.every((p) => p.total === 20)).toBe(true);

    const previews = mine.filter((e) => e.name === 'node:preview')
      .map((e) => e.payload as { step: number; total: number; mime: string; image: Uint8Array; stats: ChannelStats[] });
    const steps = previews.map((p) => p.step);
    expect(steps[0]).toBe(0);
    expect(steps.at(-1)).toBe(19);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(previews.every((p) => p.mime === 'image/png' && p.image[0] === 0x89 && p.image[1] === 0x50)).toBe(true); // PNG signature
    // All previews arrive before the sampler's node:finished, and the run ends with the stored image.
    const names = mine.map((e) => e.name);
    expect(names.lastIndexOf('node:preview')).toBeLessThan(names.indexOf('node:finished', names.indexOf('node:progress')));
    expect(names.at(-1)).toBe('run:finished');

    // Metrics: every watched step is a preview sent (what the socket got) or dropped (not drawn by the worker's pacing).
    const counted = await t.server.services.metrics.registry.getSingleMetric('stepflow_previews_total')!.get();
    const count = (result: string) => counted.values.find((v) => v.labels.result === result)?.value ?? 0;
    expect([count('sent'), count('sent') + count('dropped')]).toEqual([previews.length, 20]);

    // No picture per step is stored any more: the outputs are the run's only artifacts.
    expect(run.artifacts.map((a) => a.kind)).toEqual(['image']);
    const image = run.artifacts.find((a) => a.kind === 'image')!;
    expect([image.width, image.height]).toEqual([256, 256]);
    const res = await fetch(`${t.server.url}${image.url}`);
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([256, 256, 'png']);

    // The timeline: every step, with the stats the live frames carried.
    const timeline = await t.trpc.runs.steps.query({ runId, nodeId: 'sampler' });
    expect(timeline.map((s) => s.step)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(timeline.every((s) => s.total === 20 && s.stats.length === 4 && s.latent !== null)).toBe(true);
    for (const p of previews) expect(timeline[p.step].stats).toEqual(p.stats);
    const sigmas = timeline.map((s) => s.sigma!);
    expect(sigmas).toEqual([...sigmas].sort((a, b) => b - a));

    // Frames are drawn on request from the stored latents: exactly latentToRgb of them, 8 px per latent cell.
    const store = new StepStore(dataDir);
    const stored = await store.list(runId, 'sampler');
    for (const at of [0, 19]) {
      const rec = (await store.read(runId, stored[at].offset))!;
      const dims = [1, ...rec.info.dims];
      // The stats are those of the latent the model saw (float16 in storage: close, not equal).
      channelStats({ data: rec.latent!, dims }).forEach((c, i) => expect(c.mean).toBeCloseTo(timeline[at].stats[i].mean, 2));
      for (const [kind, latent] of [['image', rec.x0], ['latent', rec.latent!]] as const) {
        const ref = timeline[at][kind]!;
        const got = await fetch(`${t.server.url}${ref.url}`);
        expect(got.headers.get('content-type')).toBe('image/png');
        const px = await sharp(Buffer.from(await got.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
        expect([px.info.width, px.info.height, ref.width, ref.height]).toEqual([256, 256, 256, 256]);
        const want = tensorToHwc(latentToRgb({ data: latent, dims }, rec.info.latentRgb));
        expect(Buffer.compare(px.data, Buffer.from(want.data))).toBe(0);
      }
    }
    // The last step's prediction is a real picture, not flat noise-grey.
    const last = await fetch(`${t.server.url}${timeline[19].image.url}`);
    const stats = await sharp(Buffer.from(await last.arrayBuffer())).stats();
    expect(Math.max(...stats.channels.map((c) => c.stdev))).toBeGreaterThan(10);
  });

  it('does not encode previews for a run nobody watches, and draws a new random seed', async () => {
    const { runId, graph } = await t.trpc.runs.enqueue.mutate({ graph: txt2img(7, 'random') });
    const seed = seedOf(graph);
    expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32).toBe(true);
    const run = await finished(runId);
    expect(run.status).toBe('succeeded');
    expect(seedOf(run.graph)).toBe(seed);
    expect(run.artifacts.map((a) => a.kind)).toEqual(['image']);
    expect(await t.trpc.runs.steps.query({ runId, nodeId: 'sampler' })).toEqual([]);
  });

  it('queues a batch: seeds count up from run to run ("increment"), differ ("random") or repeat ("fixed")', async () => {
    const inc = await t.trpc.runs.enqueue.mutate({ graph: txt2img(100, 'increment'), count: 3 });
    expect(inc.runs.map((r) => seedOf(r.graph))).toEqual([101, 102, 103]);
    expect(inc.runId).toBe(inc.runs[0].runId);
    expect(seedOf(inc.graph)).toBe(103); // the editor carries on from the last one
    expect(inc.runs.map((r) => r.position)).toEqual([...inc.runs.keys()].map((i) => inc.runs[0].position + i));
    const done = await Promise.all(inc.runs.map((r) => finished(r.runId)));
    expect(done.map((r) => [r.status, seedOf(r.graph)])).toEqual([['succeeded', 101], ['succeeded', 102], ['succeeded', 103]]);
    // Different seeds made different pictures.
    const sha = done.map((r) => r.artifacts.find((a) => a.kind === 'image')!.sha256);
    expect(new Set(sha).size).toBeGreaterThan(1);

    const rnd = await t.trpc.runs.enqueue.mutate({ graph: txt2img(5, 'random'), count: 4 });
    expect(new Set(rnd.runs.map((r) => seedOf(r.graph))).size).toBe(4);
    const fixed = await t.trpc.runs.enqueue.mutate({ graph: txt2img(9, 'fixed'), count: 2 });
    expect(fixed.runs.map((r) => seedOf(r.graph))).toEqual([9, 9]);
    await Promise.all([...rnd.runs, ...fixed.runs].map((r) => finished(r.runId)));
    await expect(t.trpc.runs.enqueue.mutate({ graph: txt2img(1, 'fixed'), count: 101 })).rejects.toThrow();
  });

  it('clears the waiting runs of a batch in one call, leaving the running one alone', async () => {
    const graph = txt2img(3, 'increment');
    graph.nodes.find((n) => n.type === 'sampler')!.params.steps = 400; // long enough to still run when cleared
    const batch = await t.trpc.runs.enqueue.mutate({ graph, count: 4 });
    const [first, ...rest] = batch.runs;
    await until(async () => ((await t.trpc.runs.get.query({ runId: first.runId })).status === 'running' ? true : undefined), 'the first run to start');
    expect(await t.trpc.runs.cancelQueued.mutate({})).toEqual({ cancelled: 3 });
    for (const r of rest) {
      expect(await t.trpc.runs.get.query({ runId: r.runId })).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } });
    }
    expect((await finished(first.runId)).status).toBe('succeeded');
    expect(await t.trpc.runs.cancelQueued.mutate({})).toEqual({ cancelled: 0 });
  });

  it('stops a whole batch (randomize: the first run keeps the given seed): waiting runs cancelled, the running one stopped, others untouched', async () => {
    const graph = txt2img(7, 'randomize');
    graph.nodes.find((n) => n.type === 'sampler')!.params.steps = 400;
    const batch = await t.trpc.runs.enqueue.mutate({ graph, count: 3 });
    const seeds = batch.runs.map((r) => seedOf(r.graph));
    expect(seeds[0]).toBe(7);
    expect(new Set(seeds).size).toBe(3);
    const other = await t.trpc.runs.enqueue.mutate({ graph: txt2img(8, 'fixed') });
    const [first, ...rest] = batch.runs;
    await until(async () => ((await t.trpc.runs.get.query({ runId: first.runId })).status === 'running' ? true : undefined), 'the first run to start');

    const res = await t.trpc.runs.cancelBatch.mutate({ runIds: batch.runs.map((r) => r.runId) });
    expect(res.runs).toEqual([
      { runId: first.runId, status: 'cancelling' }, ...rest.map((r) => ({ runId: r.runId, status: 'cancelled' })),
    ]);
    expect((await finished(first.runId)).status).toBe('cancelled');
    for (const r of rest) expect((await t.trpc.runs.get.query({ runId: r.runId })).status).toBe('cancelled');
    expect((await finished(other.runId)).status).toBe('succeeded');
    // Over runs keep their status; an unknown id is refused before anything is cancelled.
    expect((await t.trpc.runs.cancelBatch.mutate({ runIds: [other.runId] })).runs).toEqual([{ runId: other.runId, status: 'succeeded' }]);
    await expect(t.trpc.runs.cancelBatch.mutate({ runIds: [] })).rejects.toThrow();
  });
});
