// Dynamic batching through the real server: queued runs that can share a sampling loop go to the forked worker
// together, each still its own run (rows, events, image); a debugged run never joins a batch.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../nodes/engine/graph';
import { spritesCheckpointPart } from '../../nodes/pack/checkpoint';
import { part as spritesControlNetPart } from '../../nodes/pack/sprites-controlnet/part';
import { ensurePack } from '../../nodes/pack/generate';
import { workflowsDir } from '../paths';
import { join, recordEvents, runEnded, startTestServer, tempDir, until, type TestServer } from '../testing/harness';

let t: TestServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir('batching');
  await ensurePack(path.join(dataDir, 'models'), { parts: [spritesCheckpointPart, spritesControlNetPart] });
  // A wide window: the separate enqueues below must land in one batch however slow the machine is. No node cache:
  // the runs alone must compute their images, not find the batch's.
  t = await startTestServer(dataDir, { MAX_BATCH: '4', BATCH_WINDOW_MS: '1500', CACHE_BYTES: '0' });
});

afterAll(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function txt2img(seed: number, prompt: string): Graph {
  const g = JSON.parse(fs.readFileSync(path.join(workflowsDir, 'txt2img.json'), 'utf8')) as Graph;
  g.nodes.find((n) => n.type === 'sampler')!.params.seed = seed;
  g.nodes.find((n) => n.id === 'positive')!.params.text = prompt;
  return g;
}

const finished = (runId: string) => runEnded(t, runId);

const samplerBatch = (r: Awaited<ReturnType<typeof finished>>) => r.nodes.find((n) => n.id === 'sampler')?.batch;
const imageSha = (r: Awaited<ReturnType<typeof finished>>) => r.artifacts.find((a) => a.kind === 'image')!.sha256;

const PROMPTS = ['red circle on blue background', 'green square on white background', 'yellow triangle on black background', 'blue circle on gray background'];

describe('dynamic batching on the server', () => {
  it('runs four separate enqueues as one batch; each gets the image it gets alone and its own events', async () => {
    const sock = await t.socket();
    const seen = recordEvents(sock);
    const queued = await Promise.all(PROMPTS.map((p, i) => t.trpc.runs.enqueue.mutate({ graph: txt2img(10 + i, p) })));
    for (const q of queued) await join(sock, { runId: q.runId });
    const batch = await Promise.all(queued.map((q) => finished(q.runId)));
    expect(batch.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(batch.map(samplerBatch)).toEqual([{ size: 4 }, { size: 4 }, { size: 4 }, { size: 4 }]);
    expect(new Set(batch.map((r) => r.workerId)).size).toBe(1);
    // One user's requests that arrived together were written as one group (group-commit.ts): one insert, so one
    // queuedAt, and ids in the requests' order (the line's tie-break).
    expect(new Set(batch.map((r) => new Date(r.queuedAt).getTime())).size).toBe(1);
    expect(queued.map((q) => q.runId)).toEqual(queued.map((q) => q.runId).sort());
    // Each run's events name it, and each has its own sampler progress (thinned to the preview rate): rising to 20.
    for (const q of queued) {
      const steps = seen.filter((e) => e.payload.runId === q.runId && e.name === 'node:progress').map((e) => (e.payload as { step: number }).step);
      expect(steps.at(-1)).toBe(20);
      expect(steps).toEqual([...steps].sort((a, b) => a - b));
      expect(seen.filter((e) => e.payload.runId === q.runId && e.name === 'run:finished')).toHaveLength(1);
    }
    // The same graphs one after another: same bytes (PNG files are content-addressed; the graph inside is the same too).
    for (let i = 0; i < PROMPTS.length; i++) {
      const alone = await finished((await t.trpc.runs.enqueue.mutate({ graph: txt2img(10 + i, PROMPTS[i]) })).runId);
      expect(samplerBatch(alone)).toEqual({ size: 1, reason: 'no queued run could share its sampling loop' });
      // Nobody else was enqueueing: it started at once instead of waiting out the 1.5 s window for company.
      expect(new Date(alone.startedAt!).getTime() - new Date(alone.queuedAt).getTime()).toBeLessThan(1000);
      expect(imageSha(alone)).toBe(imageSha(batch[i]));
    }
    expect(new Set(batch.map(imageSha)).size).toBe(4);
  });

  it('a request whose body is still arriving counts as company: the run queued meanwhile waits for it and they share a batch', async () => {
    // Another person's Run: its headers are in, its body is not (a slow upload), so its enqueue has not begun.
    const body = JSON.stringify({ json: { graph: txt2img(50, PROMPTS[1]) } });
    const slow = http.request(`${t.url}/api/trpc/runs.enqueue`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
    const answer = new Promise<string>((resolve, reject) => {
      slow.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c));
        res.on('end', () => resolve((JSON.parse(text) as { result: { data: { json: { runId: string } } } }).result.data.json.runId));
      });
      slow.on('error', reject);
    });
    slow.flushHeaders();
    await until(() => t.server.services.queue.enqueuesUnderWay(), 'the server to see the request arrive');
    const first = await t.trpc.runs.enqueue.mutate({ graph: txt2img(51, PROMPTS[0]) });
    slow.end(body);
    const runs = await Promise.all([first.runId, await answer].map(finished));
    expect(runs.map(samplerBatch)).toEqual([{ size: 2 }, { size: 2 }]);
  });

  it('a "Run ×4" is one batch; a debugged run queued among them runs alone', async () => {
    const sock = await t.socket();
    const seen = recordEvents(sock);
    const debugged = await t.trpc.runs.enqueue.mutate({ graph: txt2img(1, PROMPTS[0]), debug: { beforeNodes: ['save'] } });
    await join(sock, { runId: debugged.runId });
    const x4 = await t.trpc.runs.enqueue.mutate({ graph: txt2img(20, PROMPTS[1]), count: 4 });
    // It pauses before Save holding the worker; the Run ×4 waits, then runs as one batch.
    await until(() => seen.find((e) => e.name === 'run:paused' && e.payload.runId === debugged.runId), 'the debugged run to pause');
    await t.trpc.runs.debug.mutate({ runId: debugged.runId, command: 'resume' });
    const d = await finished(debugged.runId);
    expect(d.status).toBe('succeeded');
    expect(samplerBatch(d)).toEqual({ size: 1, reason: 'debugged runs (breakpoints) are never batched' });
    const runs = await Promise.all(x4.runs.map((r) => finished(r.runId)));
    expect(runs.map(samplerBatch)).toEqual([{ size: 4 }, { size: 4 }, { size: 4 }, { size: 4 }]);
  });

  it('ControlNet runs share a batch too, each with its own prompt and seed, and draw what they draw alone', async () => {
    const controlled = (seed: number, prompt: string): Graph => {
      const g = JSON.parse(fs.readFileSync(path.join(workflowsDir, 'controlnet-sprites.json'), 'utf8')) as Graph;
      g.nodes.find((n) => n.type === 'sampler')!.params.seed = seed;
      g.nodes.find((n) => n.id === 'positive')!.params.text = prompt;
      return g;
    };
    const prompts = ['red', 'blue on gray background', 'green circle'];
    const queued = await Promise.all(prompts.map((p, i) => t.trpc.runs.enqueue.mutate({ graph: controlled(30 + i, p) })));
    const batch = await Promise.all(queued.map((q) => finished(q.runId)));
    expect(batch.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(batch.map(samplerBatch)).toEqual([{ size: 3 }, { size: 3 }, { size: 3 }]);
    for (let i = 0; i < prompts.length; i++) {
      const alone = await finished((await t.trpc.runs.enqueue.mutate({ graph: controlled(30 + i, prompts[i]) })).runId);
      expect(samplerBatch(alone)).toEqual({ size: 1, reason: 'no queued run could share its sampling loop' });
      expect(imageSha(alone)).toBe(imageSha(batch[i]));
    }
    expect(new Set(batch.map(imageSha)).size).toBe(3);
  });
});
