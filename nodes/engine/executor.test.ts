import { describe, expect, it } from 'vitest';
import { Executor } from './executor';
import { defineNode, param } from '../define';
import type { RunEvent } from './events';
import { DebugSession } from './debugger';
import { unpackSteps, type StepLatents } from './step-latents';
import type { OnnxRuntime } from '../runtime/onnx';
import { ModelStore } from '../runtime/models';
import { InputStore } from '../runtime/inputs';

// Test-only nodes: a source with a value, an adder, a slow stepper and an output.
const executions = new Map<string, number>();
const count = (id: string) => executions.set(id, (executions.get(id) ?? 0) + 1);
const lat = (v: number) => ({ samples: { data: new Float32Array([v]), dims: [1, 1, 1, 1] } });

const source = defineNode({
  type: 'source', version: 1, title: 'Source', category: 'latent', description: '',
  inputs: {}, params: { value: param.float({ default: 1 }), size: param.int({ default: 1, min: 1 }) },
  outputs: { latent: { type: 'LATENT' } },
  async execute(ctx, _i, p) {
    count(ctx.nodeId);
    const data = new Float32Array(p.size).fill(p.value);
    return { latent: { samples: { data, dims: [1, 1, 1, p.size] } } };
  },
});
const add = defineNode({
  type: 'add', version: 1, title: 'Add', category: 'latent', description: '',
  inputs: { a: { type: 'LATENT' }, b: { type: 'LATENT', optional: true } }, params: { bias: param.float({ default: 0 }) },
  outputs: { latent: { type: 'LATENT' } },
  async execute(ctx, { a, b }, p) {
    count(ctx.nodeId);
    return { latent: lat(a.samples.data[0] + (b?.samples.data[0] ?? 0) + p.bias) };
  },
});
const stepper = defineNode({
  type: 'stepper', version: 1, title: 'Stepper', category: 'sampling', description: '',
  inputs: { a: { type: 'LATENT' } }, params: { steps: param.int({ default: 10, min: 1 }) },
  outputs: { latent: { type: 'LATENT' } },
  async execute(ctx, { a }, p) {
    count(ctx.nodeId);
    for (let i = 0; i < p.steps; i++) {
      await ctx.beforeStep({ step: i, total: p.steps, timestep: 0, latent: a.samples });
      await new Promise((r) => setTimeout(r, 5));
      ctx.progress(i + 1, p.steps);
    }
    return { latent: a };
  },
});
const boom = defineNode({
  type: 'boom', version: 1, title: 'Boom', category: 'latent', description: '',
  inputs: { a: { type: 'LATENT' } }, params: {}, outputs: { latent: { type: 'LATENT' } },
  async execute() {
    throw new TypeError('the flux capacitor is empty');
  },
});
const sink = defineNode({
  type: 'sink', version: 1, title: 'Sink', category: 'image', description: '', output: true,
  inputs: { a: { type: 'LATENT' } }, params: {}, outputs: {},
  async execute(ctx, { a }) {
    count(ctx.nodeId);
    const bytes = new Uint8Array([a.samples.data[0]]);
    ctx.artifact({ kind: 'image', filename: `${ctx.nodeId}.bin`, mime: 'application/octet-stream', bytes, width: 1, height: 1 });
    return {};
  },
});

function executor(cacheBytes?: number) {
  const runtime = { ortMs: 0 } as OnnxRuntime;
  return new Executor({
    runtime, models: new ModelStore('/nonexistent'), inputs: new InputStore([]), cacheBytes,
    nodes: [source, add, stepper, boom, sink],
  });
}

const e = (from: string, to: string, input = 'a') => ({ from: { node: from, output: 'latent' }, to: { node: to, input } });
const n = (id: string, type: string, params: Record<string, unknown> = {}) => ({ id, type, params });

// x ─┐
//    add1 ── add2 ── out
// y ─┘        │
// z ──────────┘
function diamond(params: Record<string, Record<string, unknown>> = {}) {
  return {
    nodes: [
      n('x', 'source', params.x ?? { value: 1 }), n('y', 'source', params.y ?? { value: 2 }),
      n('z', 'source', params.z ?? { value: 4 }), n('add1', 'add', params.add1), n('add2', 'add', params.add2),
      n('out', 'sink'), n('unused', 'source', { value: 100 }),
    ],
    edges: [e('x', 'add1'), e('y', 'add1', 'b'), e('add1', 'add2'), e('z', 'add2', 'b'), e('add2', 'out')],
  };
}

async function run(ex: Executor, graph: unknown, extra: Partial<Parameters<Executor['run']>[1]> = {}) {
  executions.clear();
  const events: RunEvent[] = [];
  const result = await ex.run(graph, { runId: 'r1', onEvent: (ev) => events.push(ev), ...extra });
  return { result, events, executed: [...executions.keys()].sort() };
}

describe('Executor', () => {
  it('runs only what feeds the outputs, in order, with events in order', async () => {
    const { result, events, executed } = await run(executor(), diamond());
    expect(result.status).toBe('succeeded');
    expect(executed).toEqual(['add1', 'add2', 'out', 'x', 'y', 'z']);
    expect(result.artifacts[0].bytes[0]).toBe(7);
    const order = events.filter((ev) => ev.type === 'node:finished').map((ev) => (ev as { nodeId: string }).nodeId);
    expect(order).toEqual(['x', 'y', 'z', 'add1', 'add2', 'out']);
    expect(events[0].type).toBe('run:started');
    expect(events.at(-1)!.type).toBe('run:finished');
  });

  it('re-executes exactly the changed node and its descendants', async () => {
    const ex = executor();
    await run(ex, diamond());
    const second = await run(ex, diamond());
    expect(second.executed).toEqual([]);
    expect(second.result.nodes.every((x) => x.cached)).toBe(true);
    // Cached output nodes still report their artifacts.
    expect(second.result.artifacts).toHaveLength(1);

    const changed = await run(ex, diamond({ y: { value: 3 } }));
    expect(changed.executed).toEqual(['add1', 'add2', 'out', 'y']);
    expect(changed.result.artifacts[0].bytes[0]).toBe(8);

    const tail = await run(ex, diamond({ y: { value: 3 }, add2: { bias: 1 } }));
    expect(tail.executed).toEqual(['add2', 'out']);
  });

  it('a bypassed node does not run: its first LATENT input passes through to its output', async () => {
    const g = diamond();
    (g.nodes.find((x) => x.id === 'add1') as { mode?: string }).mode = 'bypass';
    const { result, events, executed } = await run(executor(), g);
    expect(result.status).toBe('succeeded');
    // x (1) skips add1 and meets z (4) in add2; y feeds only the bypassed node, so it does not run either.
    expect(executed).toEqual(['add2', 'out', 'x', 'z']);
    expect(result.artifacts[0].bytes[0]).toBe(5);
    expect((events.find((ev) => ev.type === 'run:started') as { nodeIds: string[] }).nodeIds.sort()).toEqual(['add2', 'out', 'x', 'z']);
  });

  it('"run to here" executes the target and its ancestors only', async () => {
    const { result, executed } = await run(executor(), diamond(), { targets: ['add1'] });
    expect(result.status).toBe('succeeded');
    expect(executed).toEqual(['add1', 'x', 'y']);
    expect((result.values.get('add1')!.latent as ReturnType<typeof lat>).samples.data[0]).toBe(3);
  });

  it('cancels mid-graph: the running sampler stops at its next step, later nodes never start', async () => {
    const ac = new AbortController();
    const graph = {
      nodes: [n('x', 'source'), n('s', 'stepper', { steps: 50 }), n('after', 'add'), n('out', 'sink')],
      edges: [e('x', 's'), e('s', 'after'), e('after', 'out')],
    };
    const events: RunEvent[] = [];
    const p = run(executor(), graph, {
      signal: ac.signal,
      onEvent: (ev) => {
        events.push(ev);
        if (ev.type === 'node:progress' && ev.step === 3) ac.abort('stop pressed');
      },
    });
    const { result, executed } = await p;
    expect(result.status).toBe('cancelled');
    expect(result.error).toMatchObject({ nodeId: 's', code: 'cancelled', message: 'stop pressed' });
    expect(executed).toEqual(['s', 'x']);
    expect(result.nodes.find((x) => x.id === 'after')!.status).toBe('skipped');
    const cancelled = events.find((ev) => ev.type === 'run:cancelled') as Extract<RunEvent, { type: 'run:cancelled' }>;
    // Aborted while reporting step 3; the stepper checks before its next step.
    expect(cancelled).toMatchObject({ step: 3, stepsAfterCancel: 0 });
  });

  it('a throwing node gives a failed run naming it, never a rejection', async () => {
    const graph = { nodes: [n('x', 'source'), n('bad', 'boom'), n('out', 'sink')], edges: [e('x', 'bad'), e('bad', 'out')] };
    const { result, events } = await run(executor(), graph);
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ nodeId: 'bad', code: 'node_error' });
    expect(result.error!.message).toContain('the flux capacitor is empty');
    expect(events.at(-1)).toMatchObject({ type: 'run:failed', nodeId: 'bad' });
  });

  it('an invalid graph fails with the coded problems', async () => {
    const { result } = await run(executor(), { nodes: [n('a', 'nope'), n('out', 'sink')], edges: [] });
    expect(result.status).toBe('failed');
    expect(result.error!.code).toBe('invalid_graph');
    expect(result.error!.problems!.map((p) => [p.code, p.nodeId])).toEqual([['unknown_node_type', 'a'], ['missing_input', 'out']]);
  });

  it('invalid JSON text fails with invalid_json', async () => {
    const { result } = await run(executor(), '{not json');
    expect(result.error!.problems![0].code).toBe('invalid_json');
  });

  it('evicts by bytes across runs: a re-run after eviction executes again', async () => {
    // Each source output is 4000 bytes; the budget holds two of them plus the small ones.
    const ex = executor(9000);
    const big = (v: number) => ({ nodes: [n('x', 'source', { value: v, size: 1000 }), n('out', 'sink')], edges: [e('x', 'out')] });
    await run(ex, big(1));
    await run(ex, big(2));
    await run(ex, big(3));
    expect(ex.cache.bytes).toBeLessThanOrEqual(9000);
    expect((await run(ex, big(3))).executed).toEqual([]);
    expect((await run(ex, big(1))).executed).toEqual(['out', 'x']);
  });

  it('runs a 10 000-node chain', async () => {
    const N = 10_000;
    const nodes = [n('s', 'source', { value: 0 }), ...Array.from({ length: N }, (_, i) => n(`a${i}`, 'add', { bias: 1 })), n('out', 'sink')];
    const edges = [e('s', 'a0'), ...Array.from({ length: N - 1 }, (_, i) => e(`a${i}`, `a${i + 1}`)), e(`a${N - 1}`, 'out')];
    const { result } = await run(executor(), { nodes, edges });
    expect(result.status).toBe('succeeded');
    expect(result.nodes).toHaveLength(N + 2);
    expect(result.artifacts[0].bytes[0]).toBe(N % 256);
  });
});

describe('graphs embedded in PNG outputs', () => {
  it('each run embeds its own graph, also when the output came from the cache', async () => {
    const { extractGraph } = await import('../interop/png-graph');
    const { solidColor } = await import('../defs/image/solid-color');
    const { saveImage } = await import('../defs/image/save-image');
    const ex = new Executor({
      runtime: { ortMs: 0 } as OnnxRuntime, models: new ModelStore('/none'), inputs: new InputStore([]), nodes: [solidColor, saveImage],
    });
    const graph = (x: number) => ({
      version: 3 as const,
      nodes: [
        { id: 'fill', type: 'solid_color', typeVersion: 1, params: { width: 8, height: 8, color: '#ff0000' }, position: { x, y: 0 } },
        { id: 'save', type: 'save_image', typeVersion: 1, params: { filename_prefix: 'p', format: 'png', quality: 92 }, position: { x: 300, y: 0 } },
      ],
      edges: [{ from: { node: 'fill', output: 'image' }, to: { node: 'save', input: 'images' } }],
    });
    const first = await ex.run(graph(0), { runId: 'one' });
    const moved = await ex.run(graph(40), { runId: 'two' });
    expect(moved.nodes.every((n) => n.cached)).toBe(true);
    expect(extractGraph(first.artifacts[0].bytes)).toMatchObject({ graph: graph(0) });
    expect(extractGraph(moved.artifacts[0].bytes)).toMatchObject({ graph: graph(40) });
    // Same graph again: byte-identical file.
    const again = await ex.run(graph(40), { runId: 'three' });
    expect(Buffer.from(again.artifacts[0].bytes).equals(Buffer.from(moved.artifacts[0].bytes))).toBe(true);
  });

  it('groups, node colours and pins are editor-only: the run and its cache keys ignore them, the PNG keeps them, a bad one is refused', async () => {
    const { extractGraph } = await import('../interop/png-graph');
    const { solidColor } = await import('../defs/image/solid-color');
    const { saveImage } = await import('../defs/image/save-image');
    const ex = new Executor({
      runtime: { ortMs: 0 } as OnnxRuntime, models: new ModelStore('/none'), inputs: new InputStore([]), nodes: [solidColor, saveImage],
    });
    const plain = {
      version: 2 as const,
      nodes: [
        { id: 'fill', type: 'solid_color', typeVersion: 1, params: { width: 8, height: 8, color: '#00ff00' }, position: { x: 0, y: 0 } },
        { id: 'save', type: 'save_image', typeVersion: 1, params: { filename_prefix: 'g', format: 'png', quality: 92 }, position: { x: 300, y: 0 } },
      ],
      edges: [{ from: { node: 'fill', output: 'image' }, to: { node: 'save', input: 'images' } }],
    };
    const groups = [{ id: 'group_1', title: 'Colour', color: '#3b6ea5', bounds: { x: -20, y: -54, width: 300, height: 200 } }];
    const first = await ex.run(plain, { runId: 'plain' });
    const grouped = await ex.run({ ...plain, groups }, { runId: 'grouped' });
    expect(first.status).toBe('succeeded');
    expect(grouped.status).toBe('succeeded');
    expect(grouped.nodes.map((n) => [n.id, n.cached])).toEqual([['fill', true], ['save', true]]);
    expect(extractGraph(grouped.artifacts[0].bytes)!.graph.groups).toEqual(groups);
    const styled = { ...plain, nodes: [{ ...plain.nodes[0], color: '#a04545', pinned: true }, plain.nodes[1]] };
    const tinted = await ex.run(styled, { runId: 'styled' });
    expect(tinted.nodes.map((n) => [n.id, n.cached])).toEqual([['fill', true], ['save', true]]);
    expect(extractGraph(tinted.artifacts[0].bytes)!.graph.nodes[0]).toMatchObject({ color: '#a04545', pinned: true });
    const badColor = await ex.run({ ...styled, nodes: [{ ...styled.nodes[0], color: 'red' }, plain.nodes[1]] }, { runId: 'bad-color' });
    expect(badColor.error?.message).toMatch(/nodes\.0\.color: must be a colour as #rrggbb/);

    const bad = await ex.run({ ...plain, groups: [{ ...groups[0], color: 'green' }] }, { runId: 'bad' });
    expect(bad.status).toBe('failed');
    expect(bad.error?.code).toBe('invalid_graph');
    expect(bad.error?.message).toMatch(/groups\.0\.color: must be a colour as #rrggbb/);
  });
});

describe('previews', () => {
  const IDENTITY_RGB = { factors: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], bias: [0, 0, 0] };
  // A sampler stand-in: one preview per step, the step number written into the frame's first pixel.
  const previewer = defineNode({
    type: 'previewer', version: 1, title: 'Previewer', category: 'sampling', description: '',
    inputs: { a: { type: 'LATENT' } }, params: { steps: param.int({ default: 12, min: 1 }) },
    outputs: { latent: { type: 'LATENT' } },
    async execute(ctx, { a }, p) {
      for (let i = 0; i < p.steps; i++) {
        const x0 = { data: new Float32Array([i, 0, 0]), dims: [1, 3, 1, 1] };
        ctx.preview({ step: i, total: p.steps, x0, latent: x0, latentRgb: IDENTITY_RGB });
        await new Promise((r) => setImmediate(r));
      }
      return { latent: a };
    },
  });
  const graph = {
    nodes: [n('x', 'source'), n('p', 'previewer'), n('out', 'sink')],
    edges: [e('x', 'p'), e('p', 'out')],
  };

  it('emits frames in step order even when later encodes finish first', async () => {
    const finished: number[] = [];
    // Early steps take longest to encode, so without ordering the last step would arrive first.
    const encodePreview = async (t: { data: Float32Array }) => {
      const step = t.data[0];
      await new Promise((r) => setTimeout(r, (12 - step) * 4));
      finished.push(step);
      return new Uint8Array([step]);
    };
    const ex = new Executor({
      runtime: { ortMs: 0 } as OnnxRuntime, models: new ModelStore('/nonexistent'), inputs: new InputStore([]),
      nodes: [source, previewer, sink], encodePreview,
    });
    const { result, events } = await run(ex, graph, { wantsPreview: () => true });
    expect(result.status).toBe('succeeded');
    // The encodes really did finish out of order (latent + image per step, so each step appears twice).
    expect(finished.filter((_, i) => i % 2 === 0)).not.toEqual([...Array(12).keys()]);
    const previews = events.filter((ev): ev is Extract<RunEvent, { type: 'node:preview' }> => ev.type === 'node:preview');
    expect(previews.map((f) => f.step)).toEqual([...Array(12).keys()]);
    expect(previews.map((f) => f.image[0])).toEqual([...Array(12).keys()]);
    // Every preview precedes the node's node:finished.
    const finishedAt = events.findIndex((ev) => ev.type === 'node:finished' && ev.nodeId === 'p');
    expect(events.findLastIndex((ev) => ev.type === 'node:preview')).toBeLessThan(finishedAt);
  });

  // A sampler stand-in with debugger hooks: `stopAt` ends it early, as an adaptive stop does (step + 1 < total).
  const sampler = defineNode({
    type: 'paced', version: 1, title: 'Paced', category: 'sampling', description: '',
    inputs: { a: { type: 'LATENT' } }, params: { steps: param.int({ default: 12, min: 1 }), stopAt: param.int({ default: 99, min: 0 }) },
    outputs: { latent: { type: 'LATENT' } },
    async execute(ctx, { a }, p) {
      for (let i = 0; i < p.steps && i <= p.stopAt; i++) {
        const x0 = { data: new Float32Array([i, 0, 0]), dims: [1, 3, 1, 1] };
        await ctx.beforeStep({ step: i, total: p.steps, timestep: 999 - i, latent: x0 });
        ctx.preview({ step: i, total: p.steps, x0, latent: x0, latentRgb: IDENTITY_RGB, stats: [] });
        await ctx.afterStep({ step: i, total: p.steps, timestep: 999 - i, latent: x0 });
      }
      return { latent: a };
    },
  });
  const pacedGraph = (params: Record<string, unknown> = {}) => ({
    nodes: [n('x', 'source'), n('p', 'paced', params), n('out', 'sink')],
    edges: [e('x', 'p'), e('p', 'out')],
  });
  const pacedExecutor = () => new Executor({
    runtime: { ortMs: 0 } as OnnxRuntime, models: new ModelStore('/nonexistent'), inputs: new InputStore([]),
    nodes: [source, sampler, sink], encodePreview: async (t) => new Uint8Array([t.data[0]]),
  });
  const stepOf = (ev: RunEvent) => `${ev.type}:${(ev as { step?: number }).step ?? ''}`;

  it('with previewFps draws the first and last frames, the newest before a pause, and hands every step to onSteps', async () => {
    const events: RunEvent[] = [];
    const steps: StepLatents[] = [];
    let stepsAtPause = -1;
    // One frame a second: within this run's few milliseconds the pacer admits only the first and last steps.
    const debug: DebugSession = new DebugSession({
      runId: 'r1', breakpoints: { steps: [{ nodeId: 'p', step: 6 }] }, pauseTimeoutMs: 60_000, onTimeout: () => undefined,
      emit: (ev) => {
        events.push(ev);
        if (ev.type === 'run:paused') {
          stepsAtPause = steps.length;
          setImmediate(() => debug.resume());
        }
      },
    });
    const result = await pacedExecutor().run(pacedGraph(), {
      runId: 'r1', onEvent: (ev) => events.push(ev), wantsPreview: () => true, previewFps: 1, debug,
      onSteps: (batch) => steps.push(...unpackSteps(batch, { copy: true })),
    });
    expect(result.status).toBe('succeeded');
    const shown = events.filter((ev) => ev.type === 'node:preview' || ev.type === 'run:paused' || (ev.type === 'node:finished' && ev.nodeId === 'p')).map(stepOf);
    // Step 5's frame was held back by the pacer; the pause before step 6 sends it first. Then the last step.
    expect(shown).toEqual(['node:preview:0', 'node:preview:5', 'run:paused:6', 'node:preview:11', 'node:finished:']);
    const frames = events.filter((ev): ev is Extract<RunEvent, { type: 'node:preview' }> => ev.type === 'node:preview');
    expect(frames.map((f) => f.image[0])).toEqual([0, 5, 11]);
    expect(steps.map((st) => st.step)).toEqual([...Array(12).keys()]);
    expect(stepsAtPause).toBe(6); // the steps before the pause were handed over before it
    expect(steps.every((st) => st.nodeId === 'p' && st.total === 12 && st.x0[0] === st.step)).toBe(true);
  });

  it('sends the held last frame of a sampler that stopped early before its node:finished', async () => {
    const { result, events } = await run(pacedExecutor(), pacedGraph({ stopAt: 7 }), { wantsPreview: () => true, previewFps: 1 });
    expect(result.status).toBe('succeeded');
    const shown = events.filter((ev) => ev.type === 'node:preview' || (ev.type === 'node:finished' && ev.nodeId === 'p')).map(stepOf);
    expect(shown).toEqual(['node:preview:0', 'node:preview:7', 'node:finished:']);
  });

  it('draws nothing and hands no step over while nobody watches', async () => {
    const steps: StepLatents[] = [];
    const { events } = await run(pacedExecutor(), pacedGraph(), { wantsPreview: () => false, previewFps: 15, onSteps: (batch) => steps.push(...unpackSteps(batch, { copy: true })) });
    expect(events.some((ev) => ev.type === 'node:preview')).toBe(false);
    expect(steps).toEqual([]);
  });

  it('a frame whose encode fails is dropped; the frames after it still come, in order', async () => {
    const encodePreview = async (t: { data: Float32Array }) => {
      if (t.data[0] === 3) throw new Error('encoder out of memory');
      await new Promise((r) => setTimeout(r, t.data[0] % 2 ? 1 : 6));
      return new Uint8Array([t.data[0]]);
    };
    const ex = new Executor({
      runtime: { ortMs: 0 } as OnnxRuntime, models: new ModelStore('/nonexistent'), inputs: new InputStore([]),
      nodes: [source, previewer, sink], encodePreview,
    });
    const { result, events } = await run(ex, graph, { wantsPreview: () => true });
    expect(result.status).toBe('succeeded');
    const steps = events.filter((ev) => ev.type === 'node:preview').map((ev) => (ev as { step: number }).step);
    expect(steps).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11]);
  });
});
