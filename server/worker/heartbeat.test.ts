// Heartbeats against real worker processes: a worker whose process is frozen (SIGSTOP: no event loop, no pong) is
// declared unresponsive, killed and restarted; its run fails with worker_unresponsive naming the node; the next run
// succeeds on the new process. A healthy idle worker keeps answering and is left alone. An external worker that stops
// answering is cut off the same way.
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fakeWorker, type FakeChannel } from '../testing/fake-worker';
import type { HostToWorker } from './protocol';
import { fillGraph, join, recordEvents, slowGraph, startTestServer, tempDir, until, type TestServer } from '../testing/harness';

let t: TestServer;
const dir = tempDir('heartbeat');
const channels: FakeChannel[] = [];
const logs: string[] = [];
let frozen: number | undefined;

beforeAll(async () => {
  t = await startTestServer(dir, { WORKER_HEARTBEAT_MS: '300', WORKER_HEARTBEAT_MISSES: '5'}, (m) => logs.push(m));
});

afterEach(() => {
  if (frozen) for (const sig of ['SIGCONT', 'SIGKILL'] as const) try { process.kill(frozen, sig); } catch { /* already gone */ }
});

afterAll(async () => {
  for (const c of channels) c.close();
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('worker heartbeat', () => {
  it('replaces a worker that stops answering, fails its run as worker_unresponsive, and runs the next graph', async () => {
    const worker = await until(() => t.server.pool.list().find((w) => w.state === 'idle'), 'the worker to be ready', 90_000);
    // Idle and healthy for several intervals: pinged and answering, so never replaced.
    const firstPid = worker.pid!;
    const since = Date.now();
    await until(() => (Date.now() - since > 3000 ? true : undefined), 'ten heartbeat intervals');
    expect(worker.pid).toBe(firstPid);
    expect(worker.state).toBe('idle');

    const sock = await t.socket();
    const seen = recordEvents(sock);
    const wf = await t.trpc.workflows.create.mutate({ name: 'hang', graph: slowGraph() });
    await join(sock, { workflowId: wf.id });
    const { runId } = await t.trpc.runs.enqueue.mutate({ workflowId: wf.id });
    await until(() => seen.some((e) => e.name === 'node:started' && e.payload.runId === runId && e.payload.nodeId === 'big') || undefined, 'node "big" to start', 90_000);
    frozen = firstPid;
    process.kill(frozen, 'SIGSTOP');

    await until(() => seen.some((e) => e.name === 'run:failed' && e.payload.runId === runId) || undefined, 'run:failed');
    expect(seen.find((e) => e.name === 'run:failed' && e.payload.runId === runId)!.payload).toEqual({
      runId, nodeId: 'big', code: 'worker_unresponsive',
      message: 'worker 1 stopped answering (no answer to heartbeats for 5 × 300 ms) while running node big (resize); it was restarted',
    });
    const row = await t.server.services.db.run.findUniqueOrThrow({ where: { id: runId }, include: { nodeResults: true } });
    expect(row).toMatchObject({ status: 'failed', errorCode: 'worker_unresponsive', errorNodeId: 'big' });
    expect(row.nodeResults.find((n) => n.nodeId === 'big')?.status).toBe('failed');
    expect(logs).toContain('worker 1 is unresponsive (no answer to heartbeats for 5 × 300 ms); ending it');

    await until(() => (worker.state === 'idle' && worker.pid !== firstPid ? true : undefined), 'the replacement worker', 90_000);
    const next = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#0000ff', 16, 16) });
    const done = await until(async () => {
      const r = await t.trpc.runs.get.query({ runId: next.runId });
      return ['succeeded', 'failed'].includes(r.status) ? r : undefined;
    }, 'the next run');
    expect(done).toMatchObject({ status: 'succeeded', workerId: '1' });
    expect(done.artifacts[0]).toMatchObject({ width: 16, height: 16 });
  });

  it('cuts off an external worker that stops answering and fails its run as worker_unresponsive', async () => {
    // The local worker is kept busy, so the run goes to the external one.
    const local = t.server.pool.list().find((w) => !w.external)!;
    await until(() => (local.state === 'idle' ? true : undefined), 'the local worker to be free', 90_000);
    const hold = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#010101', 8, 8), debug: { beforeNodes: ['save'] } });
    await until(() => (local.runIds.includes(hold.runId) ? true : undefined), 'the local worker to hold a paused run');

    const remote = await fakeWorker(t, 'mute');
    channels.push(remote.channel);
    // Answers pings like a live worker until its run has started, then goes silent (as a frozen process would).
    let answering = true;
    remote.channel.on('host', (m: HostToWorker) => { if (answering && m.type === 'ping') remote.send({ type: 'pong', seq: m.seq }); });
    await until(() => remote.received.find((m) => m.type === 'ping'), 'a ping');
    const { runId } = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#020202', 8, 8) });
    expect((await remote.runMessage()).runId).toBe(runId);
    remote.send({ type: 'event', runId, event: { type: 'node:started', runId, nodeId: 'fill', nodeType: 'solid_color' } });
    answering = false;

    const failed = await until(async () => {
      const r = await t.server.services.db.run.findUniqueOrThrow({ where: { id: runId } });
      return r.status === 'running' ? undefined : r;
    }, 'the remote run to fail');
    expect(failed).toMatchObject({
      status: 'failed', errorCode: 'worker_unresponsive', errorNodeId: 'fill', workerId: 'r1',
      errorMessage: 'worker r1 stopped answering (no answer to heartbeats for 5 × 300 ms) while running node fill (solid_color); it was disconnected',
    });
    await until(() => (remote.channel.disconnected ? true : undefined), 'the remote worker to be disconnected');
    expect(t.server.pool.list().map((w) => w.id)).toEqual(['1']);
    await t.trpc.runs.debug.mutate({ runId: hold.runId, command: 'resume' });
  });
});
