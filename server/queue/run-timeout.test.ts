// RUN_TIMEOUT through the real queue and worker processes: a run that runs too long fails with code `timeout` naming
// the limit and the node (the worker stops cooperatively, or is killed after CANCEL_GRACE_MS and restarted); time
// paused at a breakpoint does not count.
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerHandle } from '../worker/pool';
import { fillGraph, join, recordEvents, runEnded, startTestServer, tempDir, until, type TestServer } from '../testing/harness';

/**
 * Fifteen rounds of 1024 → 3072 → 1024 lanczos resizes: ~0.8 s a round on an idle 2-core machine (three rounds were
 * once "well over ten seconds" under load, and finished inside the 3 s limit when the machine was quiet).
 */
function longGraph() {
  const nodes: { id: string; type: string; typeVersion: number; params: Record<string, unknown> }[] = [
    { id: 'fill', type: 'solid_color', typeVersion: 1, params: { width: 1024, height: 1024, color: '#336699' } },
  ];
  const edges: { from: { node: string; output: string }; to: { node: string; input: string } }[] = [];
  let prev = 'fill';
  for (let i = 1; i <= 15; i++) {
    for (const [id, size] of [[`up${i}`, 3072], [`down${i}`, 1024]] as const) {
      nodes.push({ id, type: 'resize', typeVersion: 1, params: { width: size, height: size, kernel: 'lanczos3' } });
      edges.push({ from: { node: prev, output: 'image' }, to: { node: id, input: 'image' } });
      prev = id;
    }
  }
  nodes.push({ id: 'save', type: 'save_image', typeVersion: 1, params: {} });
  edges.push({ from: { node: prev, output: 'image' }, to: { node: 'save', input: 'images' } });
  return { version: 1 as const, nodes, edges };
}

const ended = (t: TestServer, runId: string) => runEnded(t, runId, 120_000);

const ready = (t: TestServer) => until(() => t.server.pool.list().find((w) => w.state === 'idle'), 'a ready worker', 90_000);

describe('RUN_TIMEOUT with a worker that stops when told', () => {
  let t: TestServer;
  const dir = tempDir('timeout');
  beforeAll(async () => {
    t = await startTestServer(dir, { RUN_TIMEOUT: '3000', CANCEL_GRACE_MS: '60000', WORKER_HEARTBEAT_MS: '0' });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fails a run that runs longer than the limit with code timeout, naming the limit and the node', async () => {
    const worker = await ready(t);
    const pid = worker.pid;
    const { runId } = await t.trpc.runs.enqueue.mutate({ graph: longGraph() });
    const run = await ended(t, runId);
    expect(run.status).toBe('failed');
    expect(run.error!.code).toBe('timeout');
    expect(run.error!.message).toMatch(/^the run exceeded RUN_TIMEOUT \(3000 ms of running time\) (while running|after) node (fill|up\d+|down\d+) \((solid_color|resize)\)$/);
    expect(run.error!.message).toContain(`node ${run.error!.nodeId} (`);
    const row = await t.server.services.db.run.findUniqueOrThrow({ where: { id: runId }, include: { nodeResults: true } });
    expect(row).toMatchObject({ status: 'failed', errorCode: 'timeout', errorNodeId: run.error!.nodeId });
    expect(row.nodeResults.find((n) => n.nodeId === 'save')?.status).toBe('skipped');
    // It stopped at the cancel: same process, free for the next run.
    await until(() => (worker.state === 'idle' ? true : undefined), 'the worker to be free');
    expect(worker.pid).toBe(pid);
  });

  it('does not count time paused at a breakpoint', async () => {
    const sock = await t.socket();
    const seen = recordEvents(sock);
    const wf = await t.trpc.workflows.create.mutate({ name: 'paused', graph: fillGraph('#102030', 8, 8) });
    await join(sock, { workflowId: wf.id });
    const { runId } = await t.trpc.runs.enqueue.mutate({ workflowId: wf.id, debug: { beforeNodes: ['save'] } });
    await until(() => seen.some((e) => e.name === 'run:paused' && e.payload.runId === runId) || undefined, 'run:paused');
    // Paused for more than twice RUN_TIMEOUT.
    const pausedAt = Date.now();
    await until(() => (Date.now() - pausedAt > 7000 ? true : undefined), 'seven seconds of pause');
    // Still held at the breakpoint, not ended by the limit (the row says running; paused is live state).
    expect((await t.trpc.runs.get.query({ runId })).status).toBe('running');
    expect(seen.filter((e) => e.payload.runId === runId).map((e) => e.name).slice(-1)).toEqual(['run:paused']);
    await t.trpc.runs.debug.mutate({ runId, command: 'resume' });
    const run = await ended(t, runId);
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
  });
});

describe('RUN_TIMEOUT with a worker that does not stop', () => {
  let t: TestServer;
  const dir = tempDir('timeout-kill');
  let stopped: number | undefined;
  beforeAll(async () => {
    t = await startTestServer(dir, { RUN_TIMEOUT: '3000', CANCEL_GRACE_MS: '1000', WORKER_HEARTBEAT_MS: '0' });
  });
  afterEach(() => {
    // A frozen process left behind would outlive the test.
    if (stopped) for (const sig of ['SIGCONT', 'SIGKILL'] as const) try { process.kill(stopped, sig); } catch { /* gone */ }
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('kills the worker after the cancel grace, fails the run with timeout, and runs the next one on a new worker', async () => {
    const worker: WorkerHandle = await ready(t);
    const sock = await t.socket();
    const seen = recordEvents(sock);
    const wf = await t.trpc.workflows.create.mutate({ name: 'frozen', graph: longGraph() });
    await join(sock, { workflowId: wf.id });
    const { runId } = await t.trpc.runs.enqueue.mutate({ workflowId: wf.id });
    await until(() => seen.some((e) => e.name === 'node:started' && e.payload.nodeId === 'up1') || undefined, 'node up1 to start', 90_000);
    stopped = worker.pid!;
    process.kill(stopped, 'SIGSTOP');

    const run = await ended(t, runId);
    expect(run.error).toEqual({
      code: 'timeout', nodeId: 'up1',
      message: 'the run exceeded RUN_TIMEOUT (3000 ms of running time) while running node up1 (resize); worker 1 did not stop in time and was restarted',
    });
    expect(seen.find((e) => e.name === 'run:failed' && e.payload.runId === runId)?.payload).toMatchObject({ code: 'timeout', nodeId: 'up1' });
    await until(() => (worker.state === 'idle' && worker.pid !== stopped ? true : undefined), 'a new worker process', 90_000);
    const next = await t.trpc.runs.enqueue.mutate({ graph: fillGraph('#00ff00', 16, 16) });
    expect(await ended(t, next.runId)).toMatchObject({ status: 'succeeded', workerId: '1' });
  });
});
