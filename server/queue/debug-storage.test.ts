// Integration on the built-in sprites model: a paused run whose browser went away is cancelled after
// DEBUG_PAUSE_TIMEOUT and frees its worker; stored step previews (x0 + latent + stats) stay bounded by
// PREVIEW_RUNS_KEPT, in the database and on disk; "run to here" stores an inspector thumbnail.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../nodes/engine/graph';
import { spritesCheckpointPart } from '../../nodes/pack/checkpoint';
import { ensurePack } from '../../nodes/pack/generate';
import { workflowsDir } from '../paths';
import { join, recordEvents, startTestServer, tempDir, until, type TestServer } from '../testing/harness';

let t: TestServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('debug-storage');
  await ensurePack(path.join(dataDir, 'models'), { parts: [spritesCheckpointPart] });
  t = await startTestServer(dataDir, { DEBUG_PAUSE_TIMEOUT: '500', PREVIEW_RUNS_KEPT: '2' });
});

afterAll(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function txt2img(seed: number, steps: number): Graph {
  const g = JSON.parse(fs.readFileSync(path.join(workflowsDir, 'txt2img.json'), 'utf8')) as Graph;
  const sampler = g.nodes.find((n) => n.id === 'sampler')!;
  sampler.params = { ...sampler.params, seed, steps };
  return g;
}

async function finished(runId: string) {
  return until(async () => {
    const r = await t.trpc.runs.get.query({ runId });
    return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
  }, `run ${runId}`, 90_000);
}

const db = () => t.server.services.db;
const onDisk = (p: string) => fs.existsSync(path.join(dataDir, p));

describe('debug runs on a worker', () => {
  it('cancels a run paused at step 2 after its browser left, then the worker runs the next one', async () => {
    const wf = await t.trpc.workflows.create.mutate({ name: 'left paused', graph: txt2img(1001, 6) });
    const sock = await t.socket();
    const seen = recordEvents(sock);
    await join(sock, { workflowId: wf.id });
    const { runId } = await t.trpc.runs.enqueue.mutate({ workflowId: wf.id, debug: { steps: [{ nodeId: 'sampler', step: 2 }] } });
    const paused = await until(() => seen.find((e) => e.name === 'run:paused'), 'run:paused');
    expect(paused.payload).toMatchObject({ runId, nodeId: 'sampler', step: 2, total: 6 });
    expect((paused.payload as { stats: unknown[] }).stats).toHaveLength(4);
    sock.disconnect(); // the browser closed

    const run = await finished(runId);
    expect(run.status).toBe('cancelled');
    expect(run.error).toEqual({ nodeId: 'sampler', code: 'cancelled', message: 'paused for 500 ms without a step or resume; cancelled to free the worker' });
    expect(run.nodes.find((n) => n.id === 'save')?.status).toBe('skipped');

    const next = await t.trpc.runs.enqueue.mutate({ workflowId: wf.id });
    const done = await finished(next.runId);
    expect(done.status).toBe('succeeded');
    expect(done.workerId).toBe(run.workerId);
    expect(done.artifacts.filter((a) => a.kind === 'image').map((a) => [a.width, a.height])).toEqual([[256, 256]]);
  });

  it('keeps step previews, latents and stats of the newest PREVIEW_RUNS_KEPT runs only, rows and files', async () => {
    const wf = await t.trpc.workflows.create.mutate({ name: 'bounded', graph: txt2img(2001, 4) });
    const sock = await t.socket();
    await join(sock, { workflowId: wf.id }); // previews are only made while someone watches
    const stepKinds = { in: ['preview', 'preview-latent'] };
    const runIds: string[] = [];
    const run = async (seed: number) => {
      const { runId } = await t.trpc.runs.enqueue.mutate({ workflowId: wf.id, graph: txt2img(seed, 4) });
      expect((await finished(runId)).status).toBe('succeeded');
      runIds.push(runId);
    };
    await run(2001);
    const oldest = await db().artifact.findMany({ where: { runId: runIds[0], kind: stepKinds } });
    expect(oldest.map((a) => `${a.kind}:${a.step}`).sort()).toEqual(
      [0, 1, 2, 3].flatMap((s) => [`preview-latent:${s}`, `preview:${s}`]).sort());
    expect(oldest.every((a) => onDisk(a.path))).toBe(true);
    await run(2002);
    await run(2003);

    // Pruning runs after each run's end: the oldest run's steps go, rows and files.
    await until(async () => (await db().artifact.count({ where: { runId: runIds[0], kind: stepKinds } })) === 0 || undefined, 'pruning');
    // Files are content-addressed: the settled predictions of different seeds can be byte-identical and
    // stay for the newer runs; every file no remaining row references is gone.
    const referenced = new Set((await db().artifact.findMany({ select: { sha256: true } })).map((a) => a.sha256));
    const unreferenced = oldest.filter((a) => !referenced.has(a.sha256));
    expect(unreferenced.length).toBeGreaterThanOrEqual(4); // at least the noisy latents are unique to the seed
    await expect.poll(() => unreferenced.filter((a) => onDisk(a.path)).length).toBe(0);
    // The paused-and-cancelled run of the first test is older still: pruned as well.
    expect(await db().artifact.count({ where: { kind: stepKinds, runId: { notIn: runIds } } })).toBe(0);
    const kept = await db().artifact.findMany({ where: { runId: { in: runIds.slice(1) }, kind: stepKinds } });
    expect(kept).toHaveLength(16);
    expect(kept.every((a) => onDisk(a.path))).toBe(true);
    // The output image of the pruned run stays.
    expect(await db().artifact.count({ where: { runId: runIds[0], kind: 'image' } })).toBe(1);

    // The newest run's timeline: x0 and latent per step, sigma falling, 4 channels of latent stats.
    const steps = await t.trpc.runs.steps.query({ runId: runIds[2], nodeId: 'sampler' });
    expect(steps.map((s) => s.step)).toEqual([0, 1, 2, 3]);
    expect(steps.every((s) => s.total === 4 && s.image !== null && s.latent !== null && s.stats.length === 4)).toBe(true);
    const sigmas = steps.map((s) => s.sigma!);
    expect(sigmas).toEqual([...sigmas].sort((a, b) => b - a));
    expect(sigmas[0]).toBeCloseTo(14.6146, 3); // SD's sigma_max on the normal schedule
    expect(new Set(steps.map((s) => s.stats[0].mean)).size).toBe(4);
    expect(await t.trpc.runs.steps.query({ runId: runIds[0], nodeId: 'sampler' })).toEqual([]);
  });

  it('"run to here" on the decoder runs its ancestors only and stores a 256 px inspector thumbnail', async () => {
    const { runId } = await t.trpc.runs.enqueue.mutate({ graph: txt2img(3001, 3), targets: ['decode'] });
    const run = await finished(runId);
    expect(run.status).toBe('succeeded');
    expect(run.nodes.map((n) => n.id).sort()).toEqual(['checkpoint', 'decode', 'latent', 'negative', 'positive', 'sampler']);
    expect(run.artifacts.map((a) => [a.kind, a.nodeId, a.width, a.height])).toEqual([['inspect', 'decode', 256, 256]]);
    const decode = run.nodes.find((n) => n.id === 'decode')!;
    expect(decode.outputs[0]).toMatchObject({ name: 'image', type: 'IMAGE', details: { dims: [1, 3, 256, 256] } });
    const cond = run.nodes.find((n) => n.id === 'positive')!.outputs[0].details!;
    expect(cond.prompt).toBe('red circle on blue background');
    expect(cond.tokens!.slice(0, 2).map((x) => [x.id, x.weight])).toEqual([[736, 1], [7117, 1]]); // CLIP's "red</w>", "circle</w>"
  });
});
