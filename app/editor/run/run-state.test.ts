import { describe, expect, it } from 'vitest';
import { describePromptCache, idleRun, reduceRun, runWarnings, type RunAction, type RunView } from './run-state';

function fold(actions: RunAction[], start: RunView = idleRun): RunView {
  return actions.reduce((s, a, i) => reduceRun(s, a, 1000 + i * 100), start);
}

describe('run view reducer', () => {
  it('follows a run from queue to finish with per-node states and artifacts', () => {
    const s = fold([
      { type: 'run:queued', runId: 'r1', position: 2 },
      { type: 'run:position', runId: 'r1', position: 1 },
      { type: 'run:started', runId: 'r1', nodeIds: ['a', 'b', 'c'] },
      { type: 'node:finished', runId: 'r1', nodeId: 'a', ms: 3, ortMs: 0, cached: true, outputs: [] } as unknown as RunAction,
      { type: 'node:started', runId: 'r1', nodeId: 'b' } as RunAction,
      { type: 'node:progress', runId: 'r1', nodeId: 'b', step: 3, total: 20 },
    ]);
    expect(s.status).toBe('running');
    expect(s.position).toBeUndefined();
    expect(s.startedAt).toBe(1200);
    expect(s.nodes).toEqual({ a: { status: 'cached', ms: 3 }, b: { status: 'running', step: 3, total: 20 }, c: { status: 'waiting' } });

    const art = { nodeId: 'c', filename: 'out.png', mime: 'image/png', width: 64, height: 64, id: 'x1' };
    const done = fold([
      { type: 'node:artifact', runId: 'r1', artifact: art },
      { type: 'run:finished', runId: 'r1', totalMs: 420, ortMs: 100, artifacts: [{ ...art, url: '/api/artifacts/x1' }] },
    ], s);
    expect(done.status).toBe('succeeded');
    expect(done.totalMs).toBe(420);
    expect(done.artifacts).toHaveLength(1);
  });

  it('ends on the newest run of a batch whose runs start and finish together in any order', () => {
    const queued = ['r1', 'r2', 'r3'].map((runId, i) => ({ type: 'run:queued', runId, position: i + 1 }) as RunAction);
    const started = (runId: string) => ({ type: 'run:started', runId, nodeIds: ['a'] }) as RunAction;
    const finished = (runId: string) => ({ type: 'run:finished', runId, totalMs: 10, ortMs: 0, artifacts: [] }) as RunAction;
    const s = fold([...queued, started('r1'), started('r3'), started('r2'), finished('r3'), finished('r1'), finished('r2')]);
    expect(s).toMatchObject({ runId: 'r3', status: 'succeeded' });
    // Without the queue order (a tab that joined late) the newest activity still wins, as before.
    expect(fold([started('r1'), started('r3'), started('r2')]).runId).toBe('r2');
  });

  it('shows the queue position while queued', () => {
    const s = fold([{ type: 'local:enqueued', runId: 'r1', position: 3 }, { type: 'run:position', runId: 'r1', position: 2 }]);
    expect(s).toMatchObject({ runId: 'r1', status: 'queued', position: 2 });
  });

  it('ignores a second run queued behind the shown one until it starts', () => {
    const s = fold([
      { type: 'run:started', runId: 'r1', nodeIds: ['a'] },
      { type: 'run:queued', runId: 'r2', position: 1 },
    ]);
    expect(s.runId).toBe('r1');
    const t = fold([{ type: 'run:cancelled', runId: 'r1', reason: 'user' }, { type: 'run:started', runId: 'r2', nodeIds: ['a'] }], s);
    expect(t).toMatchObject({ runId: 'r2', status: 'running' });
  });

  it('marks the failing node and keeps the error message', () => {
    const s = fold([
      { type: 'run:started', runId: 'r1', nodeIds: ['a'] },
      { type: 'node:started', runId: 'r1', nodeId: 'a' } as RunAction,
      { type: 'run:failed', runId: 'r1', nodeId: 'a', code: 'file_missing', message: 'no such image' },
    ]);
    expect(s.status).toBe('failed');
    expect(s.nodes.a).toEqual({ status: 'failed', message: 'no such image' });
    expect(s.error).toEqual({ nodeId: 'a', code: 'file_missing', message: 'no such image' });
  });

  it('turns running nodes into cancelled ones on cancel', () => {
    const s = fold([
      { type: 'run:started', runId: 'r1', nodeIds: ['a', 'b'] },
      { type: 'node:progress', runId: 'r1', nodeId: 'a', step: 1, total: 4 },
      { type: 'run:cancelled', runId: 'r1', nodeId: 'a', reason: 'cancelled by user' },
    ]);
    expect(s.status).toBe('cancelled');
    expect(s.nodes.a.status).toBe('cancelled');
    expect(s.nodes.b.status).toBe('waiting');
  });

  it('keeps where the worker stopped, which the lagging step display cannot tell', () => {
    const s = fold([
      { type: 'run:started', runId: 'r1', nodeIds: ['sampler'] },
      { type: 'node:progress', runId: 'r1', nodeId: 'sampler', step: 12, total: 300 },
      { type: 'run:cancelled', runId: 'r1', nodeId: 'sampler', reason: 'cancelled by user', step: 57, stepsAfterCancel: 1 },
    ]);
    expect(s.cancel).toEqual({ nodeId: 'sampler', reason: 'cancelled by user', step: 57, stepsAfterCancel: 1 });
    // The node keeps the step this tab last saw; the run keeps the worker's.
    expect(s.nodes.sampler).toEqual({ status: 'cancelled', step: 12, total: 300 });
    expect(s.finishedAt).toBe(1200);
  });

  it('has no cancel point for runs that were not cancelled, nor step numbers for a cancel between nodes', () => {
    const done = fold([{ type: 'run:started', runId: 'r1', nodeIds: ['a'] }, { type: 'run:finished', runId: 'r1', totalMs: 5, ortMs: 0, artifacts: [] }]);
    expect(done.cancel).toBeUndefined();
    const between = fold([{ type: 'run:started', runId: 'r2', nodeIds: ['a'] }, { type: 'run:cancelled', runId: 'r2', reason: 'worker restarted' }]);
    expect(between.cancel).toEqual({ nodeId: undefined, reason: 'worker restarted', step: undefined, stepsAfterCancel: undefined });
  });

  it('takes a finished snapshot when the end event was missed, but not a stale running one', () => {
    const running = fold([{ type: 'run:started', runId: 'r1', nodeIds: ['a'] }]);
    const stale = reduceRun(running, { type: 'local:snapshot', snapshot: { runId: 'r1', status: 'queued', artifacts: [] } }, 5);
    expect(stale.status).toBe('running');
    const done = reduceRun(running, {
      type: 'local:snapshot',
      snapshot: {
        runId: 'r1', status: 'succeeded', totalMs: 90,
        artifacts: [{ nodeId: 'a', filename: 'o.png', mime: 'image/png', width: 8, height: 8, id: 'z' }],
        nodes: [{ id: 'a', status: 'succeeded', ms: 80, cached: false }],
      },
    }, 7);
    expect(done).toMatchObject({ status: 'succeeded', totalMs: 90, finishedAt: 7 });
    expect(done.nodes.a).toEqual({ status: 'done', ms: 80 });
    expect(done.artifacts[0].id).toBe('z');
  });

  it('ignores events of runs it does not show', () => {
    const s = fold([{ type: 'run:started', runId: 'r1', nodeIds: ['a'] }]);
    expect(reduceRun(s, { type: 'node:progress', runId: 'other', nodeId: 'a', step: 1, total: 2 }, 1)).toBe(s);
  });
});

describe('joining a run late', () => {
  it('adopts a run first seen mid-way and marks it running', () => {
    const s = fold([{ type: 'node:progress', runId: 'r9', nodeId: 's', step: 4, total: 10 }]);
    expect(s).toMatchObject({ runId: 'r9', status: 'running' });
    expect(s.nodes.s).toEqual({ status: 'running', step: 4, total: 10 });
  });

  it('fills an empty editor from a snapshot but never replaces a shown run with one', () => {
    const snap = { runId: 'r0', status: 'succeeded' as const, artifacts: [] };
    expect(reduceRun(idleRun, { type: 'local:snapshot', snapshot: snap }, 1)).toMatchObject({ runId: 'r0', status: 'succeeded' });
    const shown = fold([{ type: 'run:finished', runId: 'r1', totalMs: 5, ortMs: 0, artifacts: [] }]);
    expect(reduceRun(shown, { type: 'local:snapshot', snapshot: snap }, 1).runId).toBe('r1');
  });
});

describe('prompt cache line', () => {
  it('takes the counts from run:finished, or from a snapshot of a finished run, and words them', () => {
    const live = fold([
      { type: 'run:started', runId: 'r1', nodeIds: ['p', 'n'] },
      { type: 'run:finished', runId: 'r1', totalMs: 5, ortMs: 0, artifacts: [], promptCache: { hits: 2, misses: 0 } },
    ]);
    expect(live.promptCache).toEqual({ hits: 2, misses: 0 });
    expect(describePromptCache(live.promptCache)).toBe('prompt cache: 2 hits, 0 misses');
    const snap = { runId: 'r2', status: 'succeeded' as const, artifacts: [], promptCache: { hits: 1, misses: 1 } };
    const loaded = reduceRun(idleRun, { type: 'local:snapshot', snapshot: snap }, 1);
    expect(describePromptCache(loaded.promptCache)).toBe('prompt cache: 1 hit, 1 miss');
  });

  it('says nothing when no text encoder ran or the cache was off', () => {
    expect(describePromptCache({ hits: 0, misses: 0 })).toBeUndefined();
    expect(describePromptCache(undefined)).toBeUndefined();
    const off = fold([{ type: 'run:finished', runId: 'r1', totalMs: 5, ortMs: 0, artifacts: [] }]);
    expect(off.promptCache).toBeUndefined();
  });
});

describe('debugging', () => {
  it('keeps a run paused when the answer to enqueue arrives after run:paused, and clears the pause on resume', () => {
    const paused = fold([
      { type: 'run:started', runId: 'r1', nodeIds: ['k'] },
      { type: 'run:paused', runId: 'r1', nodeId: 'k', step: 0, total: 20, sigma: 14.6, stats: [] },
      { type: 'local:enqueued', runId: 'r1', position: 1 },
    ]);
    expect(paused).toMatchObject({ status: 'paused', pause: { nodeId: 'k', step: 0, total: 20, sigma: 14.6 } });
    const resumed = reduceRun(paused, { type: 'run:resumed', runId: 'r1' }, 2);
    expect(resumed.status).toBe('running');
    expect(resumed.pause).toBeUndefined();
  });

  it("counts a preview's step as done, and moves the paused node to the pause point: badge and banner agree", () => {
    const previewed = fold([
      { type: 'run:started', runId: 'r1', nodeIds: ['k'] },
      { type: 'node:preview', runId: 'r1', nodeId: 'k', step: 10, total: 20, mime: 'image/png', image: new Uint8Array(0) },
    ]);
    expect(previewed.nodes.k).toMatchObject({ step: 11, total: 20, previewStep: 10 });

    const paused = fold([
      { type: 'run:started', runId: 'r1', nodeIds: ['k'] },
      { type: 'node:started', runId: 'r1', nodeId: 'k', nodeType: 'sampler' },
      // Progress is thinned: the last count to arrive said 10 of 20, then step 10's preview (index from 0) came.
      { type: 'node:progress', runId: 'r1', nodeId: 'k', step: 10, total: 20 },
      { type: 'node:preview', runId: 'r1', nodeId: 'k', step: 10, total: 20, mime: 'image/png', image: new Uint8Array(0) },
      { type: 'run:paused', runId: 'r1', nodeId: 'k', step: 12, total: 20, sigma: 3.1, stats: [] },
    ]);
    expect(paused.pause).toMatchObject({ step: 12, total: 20 });
    // 12 steps done at step 12's pause; the picture shown is still step 10's.
    expect(paused.nodes.k).toMatchObject({ status: 'running', step: 12, total: 20, previewStep: 10 });
    // Paused before a node runs (step -1) leaves its state alone.
    const before = reduceRun(paused, { type: 'run:paused', runId: 'r1', nodeId: 'save', step: -1, total: 0, stats: [] }, 3);
    expect(before.nodes.save).toBeUndefined();
  });

  it('keeps run-level warnings from node:finished and from a snapshot of a run opened later, once per node', () => {
    const warning = { code: 'lora_fit' as const, lora: 'x.safetensors', checkpoint: 'sprites', applied: 0, total: 3, message: 'LoRA x.safetensors applied to 0 of 3 layers of checkpoint sprites' };
    const finished = { type: 'node:finished' as const, runId: 'r1', nodeId: 'lora', nodeType: 'lora_loader', ms: 3, ortMs: 0, cached: false, outputs: [] };
    const live = fold([
      { type: 'run:started', runId: 'r1', nodeIds: ['lora', 'save'] },
      { ...finished, warnings: [warning] },
      { ...finished, nodeId: 'save', nodeType: 'save_image' },
    ]);
    expect(runWarnings(live)).toEqual([warning]);
    // The safety-net poll's snapshot says the same again: still one warning.
    const polled = reduceRun(live, { type: 'local:snapshot', snapshot: { runId: 'r1', status: 'succeeded', artifacts: [], nodes: [{ id: 'lora', status: 'succeeded', ms: 3, cached: false, warnings: [warning] }] } }, 9);
    expect(runWarnings(polled)).toEqual([warning]);
    const opened = reduceRun(idleRun, { type: 'local:snapshot', snapshot: { runId: 'r2', status: 'succeeded', artifacts: [], nodes: [{ id: 'lora', status: 'succeeded', ms: 3, cached: true, warnings: [warning] }, { id: 'save', status: 'succeeded', ms: 1, cached: false, warnings: [] }] } }, 1);
    expect(runWarnings(opened)).toEqual([warning]);
    expect(runWarnings(idleRun)).toEqual([]);
  });
});
