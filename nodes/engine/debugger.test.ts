import { describe, expect, it } from 'vitest';
import { DebugSession, type Breakpoints } from './debugger';
import { Executor } from './executor';
import { defineNode, param } from '../define';
import type { RunEvent } from './events';
import type { OnnxRuntime } from '../runtime/onnx';
import { ModelStore } from '../runtime/models';
import { InputStore } from '../runtime/inputs';

// A deterministic "sampler": x <- 0.9 x + step each step; its latent changes every step.
const walker = defineNode({
  type: 'walker', version: 1, title: 'Walker', category: 'sampling', description: '',
  inputs: {}, params: { steps: param.int({ default: 10, min: 1 }) },
  outputs: { latent: { type: 'LATENT' } },
  async execute(ctx, _i, p) {
    const x = new Float32Array([1, -1, 2, 0.5]);
    for (let i = 0; i < p.steps; i++) {
      const state = { step: i, total: p.steps, timestep: 1000 - i * 100, sigma: 1 - i / p.steps, latent: { data: x, dims: [1, 4, 1, 1] } };
      await ctx.beforeStep(state);
      for (let k = 0; k < x.length; k++) x[k] = 0.9 * x[k] + i;
      await ctx.afterStep(state);
    }
    return { latent: { samples: { data: new Float32Array(x), dims: [1, 4, 1, 1] } } };
  },
});
const sink = defineNode({
  type: 'sink', version: 1, title: 'Sink', category: 'image', description: '', output: true,
  inputs: { latent: { type: 'LATENT' } }, params: {}, outputs: {},
  async execute(ctx, { latent }) {
    ctx.artifact({ kind: 'image', filename: 'x.bin', mime: 'application/octet-stream', bytes: new Uint8Array(latent.samples.data.buffer.slice(0)), width: 1, height: 1 });
    return {};
  },
});

const graph = {
  nodes: [{ id: 'sampler', type: 'walker', params: { steps: 10 } }, { id: 'out', type: 'sink', params: {} }],
  edges: [{ from: { node: 'sampler', output: 'latent' }, to: { node: 'out', input: 'latent' } }],
};

function setup(breakpoints: Breakpoints, pauseTimeoutMs = 60_000) {
  const events: RunEvent[] = [];
  const ac = new AbortController();
  const waiters: ((e: RunEvent) => void)[] = [];
  const emit = (e: RunEvent) => {
    events.push(e);
    for (const w of waiters.splice(0)) w(e);
  };
  const session = new DebugSession({ runId: 'r', breakpoints, emit, pauseTimeoutMs, onTimeout: (reason) => ac.abort(reason) });
  const executor = new Executor({
    runtime: { ortMs: 0 } as OnnxRuntime, models: new ModelStore('/none'), inputs: new InputStore([]), nodes: [walker, sink], cacheBytes: 0,
  });
  const nextPause = () => new Promise<Extract<RunEvent, { type: 'run:paused' }>>((resolve) => {
    const w = (e: RunEvent) => (e.type === 'run:paused' ? resolve(e) : waiters.push(w));
    waiters.push(w);
  });
  const run = (debug = true) => executor.run(graph, { runId: 'r', onEvent: emit, signal: ac.signal, debug: debug ? session : undefined });
  return { session, events, ac, nextPause, run };
}

describe('DebugSession', () => {
  it('break at step 3, step twice, resume: same bytes as a run without the debugger', async () => {
    const d = setup({ steps: [{ nodeId: 'sampler', step: 3 }] });
    const paused3 = d.nextPause();
    const done = d.run();
    const p3 = await paused3;
    expect([p3.nodeId, p3.step, p3.total]).toEqual(['sampler', 3, 10]);

    let next = d.nextPause();
    expect(d.session.step()).toBe(true);
    const p4 = await next;
    next = d.nextPause();
    d.session.step();
    const p5 = await next;
    expect(p5.step).toBe(5);
    expect(p4.step).toBe(4);
    expect(p5.stats[0].mean).not.toBeCloseTo(p3.stats[0].mean, 3);
    expect(p5.stats).toHaveLength(4);

    d.session.resume();
    const result = await done;
    expect(result.status).toBe('succeeded');
    const plain = await setup({}).run(false);
    expect(Buffer.from(result.artifacts[0].bytes).equals(Buffer.from(plain.artifacts[0].bytes))).toBe(true);
    // Paused exactly three times (3, 4, 5), each followed by a resume.
    expect(d.events.filter((e) => e.type === 'run:paused').map((e) => (e as { step: number }).step)).toEqual([3, 4, 5]);
    expect(d.events.filter((e) => e.type === 'run:resumed')).toHaveLength(3);
  });

  it('break every step pauses at each step in order', async () => {
    const d = setup({ everyStep: true });
    const done = d.run();
    const steps: number[] = [];
    for (let i = 0; i < 10; i++) {
      const p = await d.nextPause();
      steps.push(p.step);
      d.session.resume();
    }
    expect((await done).status).toBe('succeeded');
    expect(steps).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('break before a node pauses before it starts', async () => {
    const d = setup({ beforeNodes: ['out'] });
    const paused = d.nextPause();
    const done = d.run();
    expect((await paused).nodeId).toBe('out');
    expect(d.events.some((e) => e.type === 'node:started' && e.nodeId === 'out')).toBe(false);
    d.session.resume();
    expect((await done).status).toBe('succeeded');
  });

  it('cancel while paused ends the run as cancelled', async () => {
    const d = setup({ steps: [{ nodeId: 'sampler', step: 2 }] });
    const paused = d.nextPause();
    const done = d.run();
    await paused;
    d.ac.abort('stop pressed');
    const r = await done;
    expect(r.status).toBe('cancelled');
    expect(r.error).toMatchObject({ nodeId: 'sampler', message: 'stop pressed' });
  });

  it('a pause left alone past the timeout cancels the run with a clear reason', async () => {
    const d = setup({ steps: [{ nodeId: 'sampler', step: 1 }] }, 50);
    const r = await d.run();
    expect(r.status).toBe('cancelled');
    expect(r.error!.message).toBe('paused for 50 ms without a step or resume; cancelled to free the worker');
  });

  it('step and resume do nothing when not paused', () => {
    const d = setup({});
    expect(d.session.step()).toBe(false);
    expect(d.session.resume()).toBe(false);
  });
});
