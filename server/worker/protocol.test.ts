// Worker messages are checked before use. Unit: the schema (protocol-schema.ts). Integration: fake (external) workers
// attached to the real server's pool — a message for a run the worker does not hold is dropped, a
// malformed message fails that worker's run with worker_protocol and ends the worker, the server stays up and a
// well-behaved worker's run beside it succeeds.
import fs from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeWorker, type FakeChannel } from '../testing/fake-worker';
import { fillGraph, startTestServer, tempDir, until, type TestServer } from '../testing/harness';
import { parseStepList, parseWorkerMessage } from './protocol-schema';


describe('parseWorkerMessage', () => {
  const stats = [{ mean: Number.NaN, std: Infinity, min: -Infinity, max: 0 }];
  it('accepts the messages a worker sends, NaN latent statistics included', () => {
    const paused = { type: 'event', runId: 'r', event: { type: 'run:paused', runId: 'r', nodeId: 'k', step: 2, total: 10, stats } };
    expect(parseWorkerMessage(paused)).toEqual({ ok: true, msg: paused });
    const done = {
      type: 'done', runId: 'r',
      result: { runId: 'r', status: 'failed', totalMs: 3, ortMs: 0, nodes: [], artifacts: [], error: { nodeId: 'k', code: 'node_failed', message: 'no' } },
    };
    expect(parseWorkerMessage(done)).toEqual({ ok: true, msg: done });
    expect(parseWorkerMessage({ type: 'pong', seq: 4 })).toEqual({ ok: true, msg: { type: 'pong', seq: 4 } });
  });

  it('refuses malformed messages with the field at fault, and events that name another run', () => {
    expect(parseWorkerMessage(null)).toEqual({ ok: false, problem: 'malformed message ((message): Invalid input: expected object, received null)' });
    expect(parseWorkerMessage({ type: 'event', runId: 'r', event: { type: 'node:preview', runId: 'r', nodeId: 'k', step: 0, total: 1, mime: 'image/jpeg', image: 'AAAA' } }))
      .toEqual({ ok: false, problem: 'malformed "event" message (event.image: expected bytes (Uint8Array))' });
    expect(parseWorkerMessage({ type: 'event', runId: 'mine', event: { type: 'run:resumed', runId: 'theirs' } }))
      .toEqual({ ok: false, problem: 'malformed "event" message (event.runId: the event names another run than its message)' });
    expect(parseWorkerMessage({ type: 'event', runId: 'r', event: { type: 'run:queued', runId: 'r', position: 1 } }).ok).toBe(false);
  });
});

describe('step-latents messages', () => {
  const info = (over: Record<string, unknown> = {}) => ({
    runId: 'r', nodeId: 'k', step: 3, total: 10, sigma: 1.5, stats: [{ mean: 0, std: 1, min: -2, max: 2 }], dims: [4, 2, 3],
    hasLatent: true, latentRgb: { factors: [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]], bias: [0, 0, 0] },
    ...over,
  });
  const msg = (steps: Record<string, unknown>[], floats: number, runId = 'r') => ({ type: 'step-latents', runId, batch: { steps, data: new Float32Array(floats) } });
  it('accepts a batch whose data holds exactly its steps\' latents (24 floats each, 48 with the current latent)', () => {
    const m = msg([info(), info({ step: 4, hasLatent: false })], 48 + 24);
    expect(parseWorkerMessage(m)).toEqual({ ok: true, msg: m });
  });
  it('refuses data of the wrong size or kind, bad dims, and steps of another run', () => {
    expect(parseWorkerMessage(msg([info()], 47)))
      .toEqual({ ok: false, problem: 'malformed "step-latents" message (batch.data: data must hold exactly the steps\' latents)' });
    expect(parseWorkerMessage({ ...msg([info()], 48), batch: { steps: [info()], data: new Uint8Array(192) } }).ok).toBe(false);
    expect(parseWorkerMessage(msg([info({ dims: [4, 0, 6] })], 0)).ok).toBe(false);
    expect(parseWorkerMessage(msg([info({ latentRgb: { factors: [[1, 2]], bias: [0, 0, 0] } })], 48)).ok).toBe(false);
    expect(parseWorkerMessage(msg([], 0)).ok).toBe(false);
    expect(parseWorkerMessage(msg([info()], 48, 'other')))
      .toEqual({ ok: false, problem: 'malformed "step-latents" message (batch.steps: a step names another run than its message)' });
  });
  it('checks a worker host\'s steps, each with its own arrays', () => {
    const step = { ...info(), hasLatent: undefined, x0: new Float32Array(24), latent: new Float32Array(24) };
    expect(parseStepList('r', [step])).toMatchObject({ ok: true, steps: [{ step: 3, dims: [4, 2, 3] }] });
    expect(parseStepList('r', [{ ...step, x0: new Float32Array(23) }]))
      .toEqual({ ok: false, problem: 'malformed steps (0: x0 and latent must hold C·h·w values of dims)' });
    expect(parseStepList('other', [step])).toEqual({ ok: false, problem: 'a step names another run than its record' });
  });
});

describe('misbehaving workers against the real server', () => {
  let t: TestServer;
  const dir = tempDir('protocol');
  const logs: string[] = [];
  const channels: FakeChannel[] = [];

  beforeAll(async () => {
    t = await startTestServer(dir, { WORKERS: '0', WORKER_HEARTBEAT_MS: '0' }, (m) => logs.push(m));
  });
  afterAll(async () => {
    for (const c of channels) c.close();
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function worker(name: string) {
    const w = await fakeWorker(t, name);
    channels.push(w.channel);
    return w;
  }

  const runRow = (runId: string) => t.server.services.db.run.findUniqueOrThrow({ where: { id: runId } });
  const ended = (runId: string) => until(async () => {
    const r = await runRow(runId);
    return r.status === 'running' || r.status === 'queued' ? undefined : r;
  }, `run ${runId} to end`);

  it('drops reports for other runs, fails the run of a worker that breaks the protocol, and keeps the rest going', async () => {
    const bad = await worker('bad');
    const run1 = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#111111', 4, 4) });
    expect((await bad.runMessage()).runId).toBe(run1.runId);
    const good = await worker('good');
    const run2 = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#222222', 4, 4) });
    expect((await good.runMessage()).runId).toBe(run2.runId);

    // The bad worker tries to end the good worker's run: dropped and logged.
    bad.send({ type: 'event', runId: run2.runId, event: { type: 'run:failed', runId: run2.runId, code: 'spoofed', message: 'not yours' } });
    await until(() => logs.find((l) => l.includes(`sent a "event" message for run ${run2.runId} but holds ${run1.runId}`)), 'the drop to be logged');
    // Then breaks the protocol on its own run.
    bad.send({ type: 'event', runId: run1.runId, event: { type: 'node:started', runId: run1.runId, nodeId: 'fill', nodeType: 'solid_color' } });
    bad.send({ type: 'event', runId: run1.runId, event: { type: 'node:finished', runId: run1.runId, nodeId: 'fill', nodeType: 'solid_color', ms: 'soon', ortMs: 0, cached: false, outputs: [] } });
    const failed = await ended(run1.runId);
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'worker_protocol', errorNodeId: 'fill' });
    expect(failed.errorMessage).toBe('worker r1 sent a message that breaks the protocol while running node fill (solid_color): '
      + 'malformed "event" message (event.ms: Invalid input: expected number, received string); it was disconnected');
    await until(() => (bad.channel.disconnected ? true : undefined), 'the bad worker to be disconnected');

    // A worker that sends something that is not a message at all is ended the same way; the server does not mind.
    const worse = await worker('worse');
    const run3 = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#333333', 4, 4) });
    expect((await worse.runMessage()).runId).toBe(run3.runId);
    worse.send(null);
    expect(await ended(run3.runId)).toMatchObject({
      status: 'failed', errorCode: 'worker_protocol',
      errorMessage: 'worker r3 sent a message that breaks the protocol before its first node: malformed message ((message): Invalid input: expected object, received null); it was disconnected',
    });

    // The good worker's run was untouched by all this, and finishes normally.
    expect((await runRow(run2.runId)).status).toBe('running');
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#222222' } }).png().toBuffer();
    good.send({ type: 'event', runId: run2.runId, event: { type: 'run:started', runId: run2.runId, nodeIds: ['fill', 'save'] } });
    good.send({
      type: 'done', runId: run2.runId,
      result: {
        runId: run2.runId, status: 'succeeded', totalMs: 5, ortMs: 0,
        nodes: [{ id: 'fill', type: 'solid_color', ms: 1, ortMs: 0, cached: false, status: 'succeeded' }, { id: 'save', type: 'save_image', ms: 1, ortMs: 0, cached: false, status: 'succeeded' }],
        artifacts: [{ nodeId: 'save', kind: 'image', filename: 'out.png', mime: 'image/png', bytes: png, width: 4, height: 4 }],
      },
    });
    expect(await ended(run2.runId)).toMatchObject({ status: 'succeeded', errorCode: null, workerId: 'r2' });
    const run = await t.trpc.runs.get.query({ runId: run2.runId });
    expect(run.artifacts.map((a) => [a.kind, a.width, a.height])).toEqual([['image', 4, 4]]);
    expect((await fetch(`${t.url}/api/health`)).status).toBe(200);
    expect(t.server.pool.list().map((w) => [w.id, w.state])).toEqual([['r2', 'idle']]);
  });

  it('takes bundled messages one by one: a good bundle runs its run, a bad message ends the rest of its bundle', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#444444' } }).png().toBuffer();
    // The earlier test's good worker would take the next run: only this test's workers are attached.
    for (const c of channels.splice(0)) c.close();
    await until(() => (t.server.pool.list().some((x) => x.state === 'idle') ? undefined : true), 'earlier workers to leave');
    const w = await worker('bundling');
    const run = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#444444', 4, 4) });
    expect((await w.runMessage()).runId).toBe(run.runId);
    const started = (nodeId: string) => ({ type: 'event', runId: run.runId, event: { type: 'node:started', runId: run.runId, nodeId, nodeType: nodeId === 'fill' ? 'solid_color' : 'save_image' } });
    w.send({ type: 'bundle', messages: [
      { type: 'event', runId: run.runId, event: { type: 'run:started', runId: run.runId, nodeIds: ['fill', 'save'] } },
      started('fill'),
      { type: 'event', runId: run.runId, event: { type: 'node:finished', runId: run.runId, nodeId: 'fill', nodeType: 'solid_color', ms: 1, ortMs: 0, cached: false, outputs: [] } },
    ] });
    // In order: the row of "fill" is written as succeeded before the bad message below arrives.
    await until(async () => (await t.server.services.db.nodeResult.findFirst({ where: { runId: run.runId, nodeId: 'fill', status: 'succeeded' } })) ?? undefined, 'fill to be recorded');
    w.send({ type: 'bundle', messages: [
      started('save'),
      { type: 'event', runId: run.runId, event: { type: 'node:progress', runId: run.runId, nodeId: 'save', step: 'one', total: 1 } },
      // Never taken: the message before it ended the worker.
      { type: 'done', runId: run.runId, result: {
        runId: run.runId, status: 'succeeded', totalMs: 5, ortMs: 0, nodes: [],
        artifacts: [{ nodeId: 'save', kind: 'image', filename: 'out.png', mime: 'image/png', bytes: png, width: 4, height: 4 }],
      } },
    ] });
    const failed = await ended(run.runId);
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'worker_protocol', errorNodeId: 'save' });
    expect(failed.errorMessage).toContain('while running node save (save_image): malformed "event" message (event.step:');
    expect((await t.trpc.runs.get.query({ runId: run.runId })).artifacts).toEqual([]);

    const nested = await worker('nesting');
    const run2 = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#555555', 4, 4) });
    expect((await nested.runMessage()).runId).toBe(run2.runId);
    nested.send({ type: 'bundle', messages: [{ type: 'bundle', messages: [] }] });
    expect(await ended(run2.runId)).toMatchObject({ status: 'failed', errorCode: 'worker_protocol' });
    expect((await runRow(run2.runId)).errorMessage).toContain('a bundle inside a bundle');
  });
});
