// Breakpoints and the node cache: a node a breakpoint stops in, and what it feeds, execute even when their outputs
// are cached (otherwise the breakpoint never hits); everything else still comes from the cache.
import { describe, expect, it } from 'vitest';
import { DebugSession, type Breakpoints } from './debugger';
import { Executor } from './executor';
import { defineNode, param } from '../define';
import type { RunEvent } from './events';
import type { OnnxRuntime } from '../runtime/onnx';
import { ModelStore } from '../runtime/models';
import { InputStore } from '../runtime/inputs';

/** Executions per node id: what a cache hit does not add to. */
const executed = new Map<string, number>();
const count = (nodeId: string) => executed.set(nodeId, (executed.get(nodeId) ?? 0) + 1);

const source = defineNode({
  type: 'source', version: 1, title: 'Source', category: 'latent', description: '',
  inputs: {}, params: { value: param.float({ default: 1 }) }, outputs: { latent: { type: 'LATENT' } },
  async execute(ctx, _i, p) {
    count(ctx.nodeId);
    return { latent: { samples: { data: new Float32Array([p.value, -p.value, 2, 0.5]), dims: [1, 4, 1, 1] } } };
  },
});
// A stepping node: x <- 0.9 x + step, with the debugger's hooks before and after each step.
const walker = defineNode({
  type: 'walker', version: 1, title: 'Walker', category: 'sampling', description: '',
  inputs: { latent: { type: 'LATENT' } }, params: { steps: param.int({ default: 4, min: 1 }) },
  outputs: { latent: { type: 'LATENT' } },
  async execute(ctx, { latent }, p) {
    count(ctx.nodeId);
    const x = new Float32Array(latent.samples.data);
    for (let i = 0; i < p.steps; i++) {
      const state = { step: i, total: p.steps, timestep: 1000 - i * 100, sigma: 1 - i / p.steps, latent: { data: x, dims: [1, 4, 1, 1] } };
      await ctx.beforeStep(state);
      for (let k = 0; k < x.length; k++) x[k] = 0.9 * x[k] + i;
      await ctx.afterStep(state);
    }
    return { latent: { samples: { data: x, dims: [1, 4, 1, 1] } } };
  },
});
const sink = defineNode({
  type: 'sink', version: 1, title: 'Sink', category: 'image', description: '', output: true,
  inputs: { latent: { type: 'LATENT' } }, params: {}, outputs: {},
  async execute(ctx) {
    count(ctx.nodeId);
    return {};
  },
});

// source → sampler → out, and a second branch source → other → out2 that no breakpoint touches.
const graph = {
  nodes: [
    { id: 'src', type: 'source', params: {} },
    { id: 'sampler', type: 'walker', params: { steps: 4 } },
    { id: 'out', type: 'sink', params: {} },
    { id: 'other', type: 'walker', params: { steps: 3 } },
    { id: 'out2', type: 'sink', params: {} },
  ],
  edges: [
    { from: { node: 'src', output: 'latent' }, to: { node: 'sampler', input: 'latent' } },
    { from: { node: 'sampler', output: 'latent' }, to: { node: 'out', input: 'latent' } },
    { from: { node: 'src', output: 'latent' }, to: { node: 'other', input: 'latent' } },
    { from: { node: 'other', output: 'latent' }, to: { node: 'out2', input: 'latent' } },
  ],
};

/** One executor (so one node cache) that has run the graph once without a debugger: every node is cached. */
async function warmExecutor(): Promise<Executor> {
  executed.clear();
  const executor = new Executor({
    runtime: { ortMs: 0 } as OnnxRuntime, models: new ModelStore('/none'), inputs: new InputStore([]), nodes: [source, walker, sink],
  });
  const first = await executor.run(graph, { runId: 'warm' });
  expect(first.status).toBe('succeeded');
  expect(first.nodes.every((n) => !n.cached)).toBe(true);
  executed.clear();
  return executor;
}

/** Runs the graph again under a debug session that resumes at every pause; its events and pauses. */
async function debugRun(executor: Executor, breakpoints: Breakpoints, onPause?: (p: Extract<RunEvent, { type: 'run:paused' }>, s: DebugSession) => void) {
  const events: RunEvent[] = [];
  const emit = (e: RunEvent) => {
    events.push(e);
    if (e.type === 'run:paused') {
      // The executor holds the run once run:paused is out; let the session take the hold first.
      queueMicrotask(() => {
        onPause?.(e, session);
        session.resume();
      });
    }
  };
  const session = new DebugSession({ runId: 'dbg', breakpoints, emit, pauseTimeoutMs: 60_000, onTimeout: () => undefined });
  const result = await executor.run(graph, { runId: 'dbg', onEvent: emit, debug: session });
  const cached = Object.fromEntries(result.nodes.map((n) => [n.id, n.cached]));
  const pauses = events.flatMap((e) => (e.type === 'run:paused' ? [`${e.nodeId}@${e.step}`] : []));
  return { result, cached, pauses, events };
}

describe('breakpoints bypass the node cache', () => {
  it('"every step" on a cached sampler: it and what it feeds execute and pause; its input and the other branch stay cached', async () => {
    const executor = await warmExecutor();
    const { result, cached, pauses } = await debugRun(executor, { everyStep: ['sampler'] });
    expect(result.status).toBe('succeeded');
    expect(pauses).toEqual(['sampler@0', 'sampler@1', 'sampler@2', 'sampler@3']);
    expect(cached).toEqual({ src: true, sampler: false, out: false, other: true, out2: true });
    expect([...executed.keys()].sort()).toEqual(['out', 'sampler']);
  });

  it('a step breakpoint on a cached sampler pauses at that step', async () => {
    const executor = await warmExecutor();
    const { cached, pauses } = await debugRun(executor, { steps: [{ nodeId: 'sampler', step: 2 }] });
    expect(pauses).toEqual(['sampler@2']);
    expect(cached).toMatchObject({ src: true, sampler: false, out: false, other: true });
  });

  it('"before the node" on a cached output node: it pauses before, then executes; its sampler stays cached', async () => {
    const executor = await warmExecutor();
    const { result, cached, pauses, events } = await debugRun(executor, { beforeNodes: ['out'] });
    expect(pauses).toEqual(['out@-1']);
    expect(cached).toEqual({ src: true, sampler: true, out: false, other: true, out2: true });
    expect(executed.get('out')).toBe(1);
    // The pause comes before the node starts, and node:finished says it was not cached.
    const order = events.flatMap((e) => ('nodeId' in e && e.nodeId === 'out' ? [e.type] : []));
    expect(order).toEqual(['run:paused', 'node:started', 'node:finished']);
    expect(result.status).toBe('succeeded');
  });

  it('"every step" of every sampler (Pause) executes every stepping node and what they feed, not the source', async () => {
    const executor = await warmExecutor();
    const { cached, pauses } = await debugRun(executor, { everyStep: true });
    expect(cached).toEqual({ src: true, sampler: false, out: false, other: false, out2: false });
    expect(pauses).toHaveLength(7); // 4 + 3 steps
  });

  it('a breakpoint set while the run is paused makes a later cached node execute and pause too', async () => {
    const executor = await warmExecutor();
    const { cached, pauses } = await debugRun(executor, { beforeNodes: ['sampler'] }, (p, s) => {
      if (p.nodeId === 'sampler' && p.step === -1) s.setBreakpoints({ beforeNodes: ['sampler'], steps: [{ nodeId: 'other', step: 1 }] });
    });
    expect(pauses).toEqual(['sampler@-1', 'other@1']);
    expect(cached).toEqual({ src: true, sampler: false, out: false, other: false, out2: false });
  });

  it('without breakpoints a debugged run is all cache hits (every run has a session)', async () => {
    const executor = await warmExecutor();
    const { cached, pauses } = await debugRun(executor, {});
    expect(pauses).toEqual([]);
    expect(Object.values(cached).every(Boolean)).toBe(true);
    expect(executed.size).toBe(0);
  });
});
