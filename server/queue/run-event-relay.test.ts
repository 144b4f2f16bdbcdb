// The relay with a real database and artifact store: previews stored and throttled, pauses flush, ends held.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../nodes/engine/events';
import { applyMigrations } from '../../prisma/migrate';
import { ArtifactStore } from '../artifacts/store';
import { openDb, type Db } from '../db';
import { migrationsDir } from '../paths';
import { tempDir } from '../testing/harness';
import type { WorkerHandle } from '../worker/pool';
import type { ActiveRun } from './active-runs';
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
  const recorder = new RunRecorder(db, store);
  const relay = new RunEventRelay({
    recorder, throttle: new PreviewThrottle(15, () => now), previewRunsKept: 50,
    emit: (_run, e) => emitted.push(e),
    ended: (run) => ended.push(run.runId),
  });
  return { relay, recorder, emitted, ended, setNow: (t: number) => (now = t) };
}

async function newRun(): Promise<ActiveRun> {
  const row = await db.run.create({ data: { graph: '{}', status: 'running', workerId: '1', startedAt: new Date() } });
  return { runId: row.id, worker: { id: '1' } as WorkerHandle, listeners: 1, paused: false, closed: false };
}

const preview = (runId: string, step: number, image: Uint8Array): RunEvent =>
  ({ type: 'node:preview', runId, nodeId: 'k', step, total: 10, mime: 'image/jpeg', image });

describe('RunEventRelay', () => {
  it('stores every preview with its step, sends at most PREVIEW_FPS plus the last, and ends after done', async () => {
    const { relay, recorder, emitted, ended, setNow } = setup();
    const run = await newRun();
    await relay.event(run, { type: 'run:started', runId: run.runId, nodeIds: ['k'] });
    await relay.event(run, { type: 'node:started', runId: run.runId, nodeId: 'k', nodeType: 'sampler' });
    for (let step = 0; step < 10; step++) {
      setNow(step * 10); // 100 steps per second against a limit of 15 frames per second
      await relay.event(run, preview(run.runId, step, frames[step]));
    }
    await relay.event(run, { type: 'node:finished', runId: run.runId, nodeId: 'k', nodeType: 'sampler', ms: 90, ortMs: 80, cached: false, outputs: [] });
    await relay.event(run, { type: 'run:finished', runId: run.runId, totalMs: 95, ortMs: 80, artifacts: [] });
    expect(emitted.at(-1)!.type).toBe('node:finished'); // the executor's end event is held
    await relay.done(run, { runId: run.runId, status: 'succeeded', totalMs: 95, ortMs: 80, artifacts: [], nodes: [{ id: 'k', type: 'sampler', ms: 90, ortMs: 80, cached: false, status: 'succeeded' }] });

    // 0 ms, then the first step at least 66.7 ms later (70 ms: step 7), then the final step 9.
    expect(emitted.filter((e) => e.type === 'node:preview').map((e) => (e as { step: number }).step)).toEqual([0, 7, 9]);
    expect(emitted.map((e) => e.type)).toEqual([
      'run:started', 'node:started', 'node:preview', 'node:preview', 'node:preview', 'node:finished', 'run:finished',
    ]);
    expect(emitted[0]).toMatchObject({ workerId: '1' });
    expect(ended).toEqual([run.runId]);

    const stored = await db.artifact.findMany({ where: { runId: run.runId }, orderBy: { step: 'asc' } });
    expect(stored.map((a) => [a.kind, a.step, a.width, a.height, a.filename])).toEqual(
      Array.from({ length: 10 }, (_, i) => ['preview', i, 48, 32, `k-step-${i}.jpg`]));
    expect(stored.every((a) => fs.existsSync(store.absolute(a.path)))).toBe(true);
    const row = await db.run.findUniqueOrThrow({ where: { id: run.runId }, include: { nodeResults: true } });
    expect(row).toMatchObject({ status: 'succeeded', totalMs: 95, ortMs: 80 });
    expect(row.nodeResults.map((n) => [n.nodeId, n.status, n.ms])).toEqual([['k', 'succeeded', 90]]);

    // Pruning to zero kept runs removes the rows and the files nobody else references.
    expect(await recorder.prunePreviews(0)).toBeGreaterThanOrEqual(1);
    expect(await db.artifact.count({ where: { runId: run.runId } })).toBe(0);
    expect(stored.some((a) => fs.existsSync(store.absolute(a.path)))).toBe(false);
  });

  it('sends the frame held back by the limit when the run pauses, before run:paused', async () => {
    const { relay, emitted, setNow } = setup();
    const run = await newRun();
    setNow(0);
    await relay.event(run, preview(run.runId, 0, frames[0]));
    setNow(20);
    await relay.event(run, preview(run.runId, 1, frames[1]));
    expect(emitted.map((e) => e.type)).toEqual(['node:preview']);
    await relay.event(run, { type: 'run:paused', runId: run.runId, nodeId: 'k', step: 2, total: 10, stats: [] });
    expect(emitted.map((e) => [e.type, (e as { step?: number }).step])).toEqual([['node:preview', 0], ['node:preview', 1], ['run:paused', 2]]);
    expect(run.paused).toBe(true);
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
