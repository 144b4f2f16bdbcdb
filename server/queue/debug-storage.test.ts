// Integration on the built-in sprites model: a paused run whose browser went away is cancelled after
// DEBUG_PAUSE_TIMEOUT and frees its worker; stored steps (x0 + latent + stats, DATA_DIR/steps/) stay bounded by
// PREVIEW_RUNS_KEPT; "run to here" stores an inspector thumbnail.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spritesCheckpointPart } from '../../nodes/pack/checkpoint';
import { ensurePack } from '../../nodes/pack/generate';
import { StepStore } from '../steps/step-store';
import { join, recordEvents, runEnded, startTestServer, tempDir, txt2imgGraph, until, type TestServer } from '../testing/harness';

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


const finished = (runId: string) => runEnded(t, runId);

const db = () => t.server.services.db;

describe('debug runs on a worker', () => {
  it('cancels a run paused at step 2 after its browser left, then the worker runs the next one', async () => {
    const wf = await t.trpc.workflows.create.mutate({ name: 'left paused', graph: txt2imgGraph(1001, 6) });
    const sock = await t.socket();
    const seen = recordEvents(sock);
    await join(sock, { workflowId: wf.id });
    const { runId } = await t.trpc.runs.enqueue.mutate({ workflowId: wf.id, debug: { steps: [{ nodeId: 'sampler', step: 2 }] } });
    const paused = await until(() => seen.find((e) => e.name === 'run:paused'), 'run:paused');
    expect(paused.payload).toMatchObject({ runId, nodeId: 'sampler', step: 2, total: 6 });
    expect((paused.payload as { stats: unknown[] }).stats).toHaveLength(4);
    // The newest frame before the pause reached the browser ahead of run:paused (the worker held it back from its
    // PREVIEW_FPS pacing, and sends it before pausing), and the paused run's timeline reaches it.
    const shown = seen.filter((e) => e.name === 'node:preview' || e.name === 'run:paused').map((e) => `${e.name}:${(e.payload as { step: number }).step}`);
    expect(shown.slice(-2)).toEqual(['node:preview:1', 'run:paused:2']);
    expect((await t.trpc.runs.steps.query({ runId, nodeId: 'sampler' })).map((s) => s.step)).toEqual([0, 1]);
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

  it('keeps the steps (latents and stats) of the newest PREVIEW_RUNS_KEPT runs only', async () => {
    const wf = await t.trpc.workflows.create.mutate({ name: 'bounded', graph: txt2imgGraph(2001, 4) });
    const sock = await t.socket();
    await join(sock, { workflowId: wf.id }); // steps are only kept while someone watches
    const steps = new StepStore(dataDir);
    const runIds: string[] = [];
    const run = async (seed: number) => {
      const { runId } = await t.trpc.runs.enqueue.mutate({ workflowId: wf.id, graph: txt2imgGraph(seed, 4) });
      expect((await finished(runId)).status).toBe('succeeded');
      runIds.push(runId);
    };
    await run(2001);
    expect((await steps.list(runIds[0], 'sampler')).map((s) => s.step)).toEqual([0, 1, 2, 3]);
    await run(2002);
    await run(2003);

    // Pruning runs after each run's end: the oldest run's steps go. The paused-and-cancelled run of the first test
    // is older still: pruned as well. No step is an artifact row.
    await until(async () => ((await steps.runIds()).includes(runIds[0]) ? undefined : true), 'pruning');
    expect((await steps.runIds()).sort()).toEqual(runIds.slice(1).sort());
    expect(fs.readdirSync(path.join(dataDir, 'steps')).sort()).toEqual(runIds.slice(1).map((id) => `${id}.steps`).sort());
    expect(await db().artifact.count({ where: { kind: { in: ['preview', 'preview-latent'] } } })).toBe(0);
    expect(await t.trpc.runs.steps.query({ runId: runIds[0], nodeId: 'sampler' })).toEqual([]);
    // The output image of the pruned run stays.
    expect(await db().artifact.count({ where: { runId: runIds[0], kind: 'image' } })).toBe(1);

    // The newest run's timeline: x0 and latent per step, sigma falling, 4 channels of latent stats.
    const timeline = await t.trpc.runs.steps.query({ runId: runIds[2], nodeId: 'sampler' });
    expect(timeline.map((s) => s.step)).toEqual([0, 1, 2, 3]);
    expect(timeline.every((s) => s.total === 4 && s.image !== null && s.latent !== null && s.stats.length === 4)).toBe(true);
    const sigmas = timeline.map((s) => s.sigma!);
    expect(sigmas).toEqual([...sigmas].sort((a, b) => b - a));
    expect(sigmas[0]).toBeCloseTo(14.6146, 3); // SD's sigma_max on the normal schedule
    expect(new Set(timeline.map((s) => s.stats[0].mean)).size).toBe(4);
    const frame = await fetch(`${t.server.url}${timeline[3].latent!.url}`);
    expect([frame.status, frame.headers.get('content-type')]).toEqual([200, 'image/png']);
  });

  it('"run to here" on the decoder runs its ancestors only and stores a 256 px inspector thumbnail', async () => {
    const { runId } = await t.trpc.runs.enqueue.mutate({ graph: txt2imgGraph(3001, 3), targets: ['decode'] });
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
