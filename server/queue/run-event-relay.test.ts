// The relay with a real database and artifact store: steps stored in batches, previews throttled, pauses flush,
// ends held.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../nodes/engine/events';
import type { StepLatents } from '../../nodes/engine/step-latents';
import { SD15_LATENT_RGB } from '../../nodes/models/latent-rgb';
import { applyMigrations } from '../../prisma/migrate';
import { ArtifactStore } from '../artifacts/store';
import { openDb, type Db } from '../db';
import { migrationsDir } from '../paths';
import { tempDir } from '../testing/harness';
import type { WorkerHandle } from '../worker/pool';
import type { ActiveRun } from './active-runs';
import { StepStore } from '../steps/step-store';
import { PreviewThrottle } from './preview-throttle';
import { RunEventRelay } from './run-event-relay';
import { RunRecorder } from './run-recorder';

const dir = tempDir('relay');
let db: Db;
let store: ArtifactStore;
let frames: Uint8Array[];

beforeAll(async () => {
  applyMigrations(path.join(dir, 'db.sqlite'), migrationsDir);
  db = await openDb(path.join(dir, 'db.sqlite'));
  store = new ArtifactStore(dir);
  // Ten distinct 48x32 JPEG frames, as a sampler's previews would be.
  frames = await Promise.all(Array.from({ length: 10 }, (_, i) =>
    sharp({ create: { width: 48, height: 32, channels: 3, background: { r: i * 25, g: 0, b: 0 } } }).jpeg().toBuffer().then((b) => new Uint8Array(b))));
});

afterAll(async () => {
  await db.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

function setup() {
  let now = 0;
  const emitted: RunEvent[] = [];
  const ended: string[] = [];
  const skipped: number[] = [];
  const recorder = new RunRecorder(db, store);
  const relay = new RunEventRelay({
    recorder, throttle: new PreviewThrottle(15, () => now), progress: new PreviewThrottle(15, () => now), previewRunsKept: 50,
    emit: (_run, e) => emitted.push(e),
    ended: (run) => ended.push(run.runId),
    onSkipped: (n) => skipped.push(n),
  });
  return { relay, recorder, emitted, ended, skipped, setNow: (t: number) => (now = t) };
}

async function newRun(): Promise<ActiveRun> {
  const row = await db.run.create({ data: { graph: '{}', status: 'running', workerId: '1', startedAt: new Date() } });
  return { runId: row.id, worker: { id: '1' } as WorkerHandle, listeners: 1, paused: false, closed: false };
}

const preview = (runId: string, step: number, image: Uint8Array, total = 10): RunEvent =>
  ({ type: 'node:preview', runId, nodeId: 'k', step, total, mime: 'image/jpeg', image });

/** A watched step of node k: a 4x2x2 latent whose values encode the step. */
const latents = (runId: string, step: number, total = 40): StepLatents => ({
  runId, nodeId: 'k', step, total, sigma: 14 - step / 4, timestep: 999 - step,
  stats: [0, 1, 2, 3].map((c) => ({ mean: step + c, std: 1, min: -1, max: 1 })), dims: [4, 2, 2],
  x0: Float32Array.from({ length: 16 }, (_, i) => step + i / 16), latent: Float32Array.from({ length: 16 }, (_, i) => -step - i / 16),
  latentRgb: SD15_LATENT_RGB,
});
const steps = new StepStore(dir);

describe('RunEventRelay', () => {
  it('stores every watched step as its batches come, passes the worker\'s frames through the throttle, ends after done', async () => {
    const { relay, recorder, emitted, ended, skipped, setNow } = setup();
    const run = await newRun();
    await relay.event(run, { type: 'run:started', runId: run.runId, nodeIds: ['k'] });
    await relay.event(run, { type: 'node:started', runId: run.runId, nodeId: 'k', nodeType: 'sampler' });
    // 40 steps, 10 ms apart; the worker drew frames for steps 0, 10, 20, 30 (its pacing) and the last one, and sent
    // the steps' latents in two batches (as before a pause, and at the sampler's end).
    for (let step = 0; step < 40; step++) {
      setNow(step * 10);
      if (step % 10 === 0 || step === 39) await relay.event(run, preview(run.runId, step, frames[step % 10], 40));
    }
    await relay.stepLatents(run, Array.from({ length: 25 }, (_, i) => latents(run.runId, i)));
    expect((await steps.list(run.runId, 'k')).length).toBe(25);
    await relay.stepLatents(run, Array.from({ length: 15 }, (_, i) => latents(run.runId, 25 + i)));
    await relay.event(run, { type: 'node:finished', runId: run.runId, nodeId: 'k', nodeType: 'sampler', ms: 390, ortMs: 300, cached: false, outputs: [] });
    await relay.event(run, { type: 'run:finished', runId: run.runId, totalMs: 395, ortMs: 300, artifacts: [] });
    expect(emitted.at(-1)!.type).toBe('node:finished'); // the executor's end event is held
    await relay.done(run, { runId: run.runId, status: 'succeeded', totalMs: 395, ortMs: 300, artifacts: [], nodes: [{ id: 'k', type: 'sampler', ms: 390, ortMs: 300, cached: false, status: 'succeeded' }] });

    expect(emitted.filter((e) => e.type === 'node:preview').map((e) => (e as { step: number }).step)).toEqual([0, 10, 20, 30, 39]);
    expect(emitted.map((e) => e.type)).toEqual([
      'run:started', 'node:started', ...Array(5).fill('node:preview'), 'node:finished', 'run:finished',
    ]);
    expect(emitted[0]).toMatchObject({ workerId: '1' });
    expect(ended).toEqual([run.runId]);
    // Steps the worker drew no frame for are counted as dropped previews: 40 watched = 5 sent + 35 dropped.
    expect(skipped).toEqual([35]);

    // Every step is stored, none as an artifact; stats and latents (float16) as the worker sent them.
    expect(await db.artifact.count({ where: { runId: run.runId } })).toBe(0);
    const stored = await steps.list(run.runId, 'k');
    expect(stored.map((x) => x.step)).toEqual([...Array(40).keys()]);
    expect(stored[17]).toMatchObject({ total: 40, sigma: 14 - 17 / 4, timestep: 982, dims: [4, 2, 2] });
    expect(stored[17].stats.map((x) => x.mean)).toEqual([17, 18, 19, 20]);
    const rec = await steps.read(run.runId, stored[17].offset);
    expect(rec!.x0[5]).toBeCloseTo(17 + 5 / 16, 1);
    expect(rec!.latent![5]).toBeCloseTo(-17 - 5 / 16, 1);
    const row = await db.run.findUniqueOrThrow({ where: { id: run.runId }, include: { nodeResults: true } });
    expect(row).toMatchObject({ status: 'succeeded', totalMs: 395, ortMs: 300 });
    expect(row.nodeResults.map((n) => [n.nodeId, n.status, n.ms])).toEqual([['k', 'succeeded', 390]]);

    // Pruning to zero kept runs removes the run's steps.
    expect(await recorder.prunePreviews(0)).toBeGreaterThanOrEqual(1);
    expect(await steps.list(run.runId, 'k')).toEqual([]);
  });

  it('sends the frame held back by the limit when the run pauses, before run:paused, with every step stored', async () => {
    const { relay, emitted, setNow } = setup();
    const run = await newRun();
    setNow(0);
    await relay.stepLatents(run, [latents(run.runId, 0, 10)]);
    await relay.event(run, preview(run.runId, 0, frames[0]));
    setNow(20);
    await relay.stepLatents(run, [latents(run.runId, 1, 10)]);
    await relay.event(run, preview(run.runId, 1, frames[1]));
    expect(emitted.map((e) => e.type)).toEqual(['node:preview']);
    await relay.event(run, { type: 'run:paused', runId: run.runId, nodeId: 'k', step: 2, total: 10, stats: [] });
    expect(emitted.map((e) => [e.type, (e as { step?: number }).step])).toEqual([['node:preview', 0], ['node:preview', 1], ['run:paused', 2]]);
    expect(run.paused).toBe(true);
    // The paused run's timeline reaches its last step.
    expect((await steps.list(run.runId, 'k')).map((x) => x.step)).toEqual([0, 1]);
  });

  it('thins progress for browsers like previews: first, every 66 ms, the newest before a pause, the last', async () => {
    const { relay, emitted, setNow } = setup();
    const run = await newRun();
    const progress = (step: number): RunEvent => ({ type: 'node:progress', runId: run.runId, nodeId: 'k', step, total: 30 });
    for (let step = 1; step <= 12; step++) {
      setNow(step * 10);
      await relay.event(run, progress(step));
    }
    await relay.event(run, { type: 'run:paused', runId: run.runId, nodeId: 'k', step: 12, total: 30, stats: [] });
    await relay.event(run, { type: 'run:resumed', runId: run.runId });
    for (let step = 13; step <= 30; step++) {
      setNow(1000 + step * 10);
      await relay.event(run, progress(step));
    }
    const shown = emitted.map((e) => (e.type === 'node:progress' ? e.step : e.type));
    // 10 ms a step against 15 a second: 1, 8 (70 ms later), the held 12 before the pause, then 13, 20, 27 and the last two.
    expect(shown).toEqual([1, 8, 12, 'run:paused', 'run:resumed', 13, 20, 27, 29, 30]);
  });

  it('fails the run with worker_crashed and marks the running node failed', async () => {
    const { relay, emitted, ended } = setup();
    const run = await newRun();
    await relay.event(run, { type: 'node:started', runId: run.runId, nodeId: 'dec', nodeType: 'vae_decode' });
    await relay.crashed(run, { code: null, signal: 'SIGSEGV', runIds: [run.runId] });
    expect(emitted.at(-1)).toEqual({
      type: 'run:failed', runId: run.runId, nodeId: 'dec', code: 'worker_crashed',
      message: 'worker 1 exited with signal SIGSEGV while running node dec (vae_decode)',
    });
    const row = await db.run.findUniqueOrThrow({ where: { id: run.runId }, include: { nodeResults: true } });
    expect(row).toMatchObject({ status: 'failed', errorCode: 'worker_crashed', errorNodeId: 'dec' });
    expect(row.nodeResults.map((n) => [n.nodeId, n.type, n.status])).toEqual([['dec', 'vae_decode', 'failed']]);
    expect(ended).toEqual([run.runId]);
  });
});
