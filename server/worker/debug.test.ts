// Integration: step debugging through the queue and a real worker: breakpoints, step, resume, pause timeout.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillGraph, join, recordEvents, startTestServer, tempDir, until, type TestServer } from '../testing/harness';

let t: TestServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('debug');
  t = await startTestServer(dataDir, { DEBUG_PAUSE_TIMEOUT: '1500' });
});

afterAll(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('debugging a run', () => {
  it('pauses before a node, reports paused on join, and resumes to the end', async () => {
    const sock = await t.socket();
    const seen = recordEvents(sock);
    const wf = await t.trpc.workflows.create.mutate({ name: 'dbg', graph: fillGraph('#808080', 8, 8) });
    await join(sock, { workflowId: wf.id });
    const { runId } = await t.trpc.runs.enqueue.mutate({ workflowId: wf.id, debug: { beforeNodes: ['save'] } });
    await until(() => seen.some((e) => e.name === 'run:paused') || undefined, 'run:paused');
    expect(seen.find((e) => e.name === 'run:paused')!.payload).toEqual({ runId, nodeId: 'save', step: -1, total: 0, stats: [] });

    const late = await t.socket();
    expect(await join(late, { runId })).toEqual({ ok: true, room: `run:${runId}`, run: { runId, workflowId: wf.id, status: 'paused' } });
    expect(await join(late, { workflowId: wf.id })).toEqual({ ok: true, room: `workflow:${wf.id}`, active: [{ runId, workflowId: wf.id, status: 'paused' }] });

    expect(await t.trpc.runs.debug.mutate({ runId, command: 'resume' })).toEqual({ runId, command: 'resume' });
    await until(() => seen.some((e) => e.name === 'run:finished') || undefined, 'run:finished');
    const names = seen.filter((e) => e.payload.runId === runId).map((e) => e.name);
    expect(names.slice(names.indexOf('node:finished'))).toEqual([
      'node:finished', 'run:paused', 'run:resumed', 'node:started', 'node:finished', 'node:artifact', 'run:finished',
    ]);
    const ended = await t.trpc.runs.debug.mutate({ runId, command: 'step' }).catch((e: { data?: { code?: string } }) => e.data?.code);
    expect(ended).toBe('CONFLICT');
  });

  it('cancels a run left paused longer than DEBUG_PAUSE_TIMEOUT', async () => {
    const sock = await t.socket();
    const seen = recordEvents(sock);
    const wf = await t.trpc.workflows.create.mutate({ name: 'left alone', graph: fillGraph('#404040', 8, 8) });
    await join(sock, { workflowId: wf.id });
    const { runId } = await t.trpc.runs.enqueue.mutate({ workflowId: wf.id, debug: { beforeNodes: ['fill'] } });
    await until(() => seen.some((e) => e.name === 'run:cancelled') || undefined, 'run:cancelled', 20_000);
    const cancelled = seen.find((e) => e.name === 'run:cancelled')!.payload;
    // Held before its first step: the node reached step 0 and ran none after the cancel.
    expect(cancelled).toEqual({
      runId, nodeId: 'fill', reason: 'paused for 1500 ms without a step or resume; cancelled to free the worker', step: 0, stepsAfterCancel: 0,
    });
    const row = await t.server.services.db.run.findUniqueOrThrow({ where: { id: runId } });
    expect(row).toMatchObject({ status: 'cancelled', errorCode: 'cancelled', errorNodeId: 'fill' });
  });
});
