// Dynamic batching through the real Executor and the built-in pack: runs of one batch share their samplers'
// model calls, yet each run's image, events, seed and cancel stay its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DebugSession } from '../engine/debugger';
import type { RunEvent } from '../engine/events';
import type { RunResult } from '../engine/executor';
import { acceptanceModelsDir } from '../acceptance/pack';
import { createRunner, loadWorkflow, pixelsOf } from '../acceptance/workflow-runner';
import { BatchGroup } from './batch';

let runner: ReturnType<typeof createRunner>;

beforeAll(async () => {
  runner = createRunner(await acceptanceModelsDir());
});
afterAll(async () => {
  await runner?.dispose();
});

const RUNS = [
  { prompt: 'red circle on blue background', seed: 1 },
  { prompt: 'green square on white background', seed: 2 },
  { prompt: 'yellow triangle on black background', seed: 3 },
  { prompt: 'blue circle on gray background', seed: 4 },
];

function graph(ckpt: string, r: { prompt: string; seed: number }, sampler: Record<string, unknown> = {}) {
  const size = ckpt.startsWith('tiny-sd') ? { width: 64, height: 64 } : {};
  return loadWorkflow('txt2img.json', {
    checkpoint: { ckpt_name: ckpt }, positive: { text: r.prompt }, latent: size,
    // The flow-matching model steps with euler (FlowMatchEulerDiscreteScheduler); ancestral sampling is an epsilon one.
    sampler: { seed: r.seed, steps: 8, sampler: ckpt === 'sprites-flow' ? 'euler' : 'euler_ancestral', ...sampler },
  });
}

async function pixels(r: RunResult): Promise<Uint8Array> {
  expect(r.status, r.error?.message).toBe('succeeded');
  return (await pixelsOf(r.artifacts[0].bytes)).data;
}

function maxDiff(a: Uint8Array, b: Uint8Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * Runs the graphs concurrently as one batch, the way a worker does; each run's events are collected. `debug`: that
 * run breaks before step 2 and is resumed only once every other run's sampler has finished, so the test hangs if
 * its pause held the batch.
 */
async function runBatch(graphs: ReturnType<typeof graph>[], opts: { cancel?: number; debug?: number } = {}) {
  const ids = graphs.map((_, i) => `batch-run-${i}`);
  const group = new BatchGroup(ids);
  const events = new Map<string, RunEvent[]>(ids.map((id) => [id, []]));
  let debug: DebugSession | undefined;
  let othersDone = 0;
  let paused = false;
  const maybeResume = () => {
    if (paused && othersDone === graphs.length - 1) debug?.resume();
  };
  const results = await Promise.all(graphs.map(async (g, i) => {
    const abort = new AbortController();
    const emit = (e: RunEvent) => {
      events.get(ids[i])!.push(e);
      if (i === opts.cancel && e.type === 'node:progress' && e.step === 3) abort.abort('stop this one');
      if (i === opts.debug && e.type === 'run:paused') paused = true;
      if (i !== opts.debug && e.type === 'node:finished' && e.nodeId === 'sampler') othersDone++;
      maybeResume();
    };
    const own = i === opts.debug
      ? (debug = new DebugSession({ runId: ids[i], breakpoints: { steps: [{ nodeId: 'sampler', step: 2 }] }, emit, pauseTimeoutMs: 60_000, onTimeout: () => undefined }))
      : undefined;
    try {
      return await runner.executor().run(g, { runId: ids[i], signal: abort.signal, onEvent: emit, batch: group.member(ids[i]), debug: own, wantsPreview: () => true });
    } finally {
      group.leave(ids[i]);
    }
  }));
  return { ids, results, events };
}

function samplerBatch(r: RunResult) {
  return r.nodes.find((n) => n.id === 'sampler')?.batch;
}

describe('dynamic batching of sampling loops', () => {
  // tiny-sdxl: the added conditioning (pooled text embedding, time ids) rides with each run's rows.
  for (const ckpt of ['sprites', 'tiny-sd', 'sprites-flow', 'tiny-sdxl']) {
    it(`${ckpt}: four runs with different prompts and seeds give each the image it gets alone`, async () => {
      const graphs = RUNS.map((r) => graph(ckpt, r));
      const alone: Uint8Array[] = [];
      for (const g of graphs) {
        runner.resetCache();
        alone.push(await pixels(await runner.run(g)));
      }
      runner.resetCache();
      const { results, ids, events } = await runBatch(graphs);
      for (let i = 0; i < graphs.length; i++) {
        expect(samplerBatch(results[i])).toEqual({ size: 4 });
        const px = await pixels(results[i]);
        expect(maxDiff(px, alone[i])).toBe(0);
        // Every event of a run names that run, previews included.
        const own = events.get(ids[i])!;
        expect(own.filter((e) => e.type === 'node:preview')).toHaveLength(8);
        expect(own.every((e) => e.runId === ids[i])).toBe(true);
      }
      // Different prompts and seeds really made different images.
      expect(maxDiff(await pixels(results[0]), await pixels(results[1]))).toBeGreaterThan(50);
    });
  }

  it('cancelling one run of a running batch leaves the other three succeeding', async () => {
    runner.resetCache();
    const { results, events, ids } = await runBatch(RUNS.map((r) => graph('sprites', r)), { cancel: 1 });
    expect(results.map((r) => r.status)).toEqual(['succeeded', 'cancelled', 'succeeded', 'succeeded']);
    expect(results[1].error).toMatchObject({ code: 'cancelled', nodeId: 'sampler', message: 'stop this one' });
    // It stopped within a step of the cancel; the others ran all 8 steps in a batch of 4.
    const progress = events.get(ids[1])!.filter((e) => e.type === 'node:progress').length;
    expect(progress).toBeLessThanOrEqual(4);
    for (const i of [0, 2, 3]) expect(samplerBatch(results[i])).toEqual({ size: 4 });
  });

  it('a run the debugger pauses leaves the batch and the others are not held', async () => {
    runner.resetCache();
    const { results, events, ids } = await runBatch(RUNS.map((r) => graph('sprites', r)), { debug: 2 });
    expect(results.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(samplerBatch(results[2])).toEqual({ size: 1, reason: 'the debugger paused it, so it left its batch' });
    expect(events.get(ids[2])!.filter((e) => e.type === 'run:paused').map((e) => e.type === 'run:paused' && e.step)).toEqual([2]);
    for (const i of [0, 1, 3]) expect(samplerBatch(results[i])).toEqual({ size: 4 });
    runner.resetCache();
    const alone = await pixels(await runner.run(graph('sprites', RUNS[2])));
    expect(maxDiff(await pixels(results[2]), alone)).toBe(0);
  });

  it('runs whose sampler settings differ are not batched, and say why', async () => {
    runner.resetCache();
    const graphs = [graph('sprites', RUNS[0]), graph('sprites', RUNS[1], { steps: 9 })];
    const { results } = await runBatch(graphs);
    for (const r of results) {
      expect(samplerBatch(r)).toEqual({ size: 1, reason: 'no other run of its batch had the same model, size and sampler settings' });
    }
  });
});
