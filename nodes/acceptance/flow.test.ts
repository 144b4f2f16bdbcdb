// Acceptance: the shipped flow-matching workflow (workflows/flow-txt2img.json) on the built-in flow sprites
// transformer (checkpoints/sprites-flow, SD3 layout, FlowMatchEulerDiscreteScheduler shift 3) draws what the prompt says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DebugSession } from '../engine/debugger';
import type { RunEvent } from '../engine/events';
import { BACKGROUNDS, SHAPE_COLORS, SHAPES } from '../pack/sprites';
import { acceptanceModelsDir } from './pack';
import { classifyArtifact, gridMisses, promptGrid, createRunner, loadWorkflow, pixelsOf } from './workflow-runner';

let runner: ReturnType<typeof createRunner>;

beforeAll(async () => {
  runner = createRunner(await acceptanceModelsDir());
});
afterAll(async () => {
  await runner?.dispose();
});

const flow = (prompt: string, sampler: Record<string, unknown> = {}, negative = '') =>
  loadWorkflow('flow-txt2img.json', { positive: { text: prompt }, negative: { text: negative }, sampler });

describe('flow-txt2img workflow on the flow-matching sprites transformer', () => {
  it('draws the prompted sprite for a grid of 24 shape x colour x background prompts', async () => {
    const cases = promptGrid();
    expect(new Set(cases.map((c) => c.shape)).size).toBe(SHAPES.length);
    expect(new Set(cases.map((c) => c.color)).size).toBe(SHAPE_COLORS.length);
    expect(new Set(cases.map((c) => c.background)).size).toBe(BACKGROUNDS.length);
    const misses = await gridMisses(cases, (prompt, seed) => runner.run(flow(prompt, { seed })));
    expect(misses.length, misses.join('\n')).toBeLessThanOrEqual(Math.floor(cases.length * 0.05));
  });

  it('heun (FlowMatchHeunDiscreteScheduler, 2 evaluations a step) draws the prompt too', async () => {
    for (const [i, prompt, want] of [[0, 'purple heart on navy background', ['heart', 'purple', 'navy']], [1, 'white diamond on brown background', ['diamond', 'white', 'brown']]] as const) {
      const sprite = await classifyArtifact(await runner.run(flow(prompt, { seed: 7 + i, sampler: 'heun', steps: 10 })));
      expect([sprite.shape, sprite.color, sprite.background, sprite.wrongCells]).toEqual([...want, 0]);
    }
  });

  it('gives identical pixels for the same seed and different sprites for different seeds', async () => {
    const a = await runner.run(flow('a circle', { seed: 11 }));
    runner.resetCache();
    const b = await runner.run(flow('a circle', { seed: 11 }));
    expect(b.nodes.find((n) => n.id === 'sampler')!.cached).toBe(false);
    const [pa, pb] = [await pixelsOf(a.artifacts[0].bytes), await pixelsOf(b.artifacts[0].bytes)];
    expect(Buffer.from(pb.data).equals(Buffer.from(pa.data))).toBe(true);
    const sprites = new Set<string>();
    for (let seed = 1; seed <= 6; seed++) {
      const sprite = await classifyArtifact(await runner.run(flow('a circle', { seed })));
      expect(sprite.shape).toBe('circle');
      sprites.add(`${sprite.color} on ${sprite.background}`);
    }
    expect(sprites.size).toBeGreaterThanOrEqual(3);
  });

  it('streams one preview per step that converges on the final image, with the noise shrinking', async () => {
    const events: RunEvent[] = [];
    const r = await runner.run(flow('yellow heart on gray background', { seed: 5 }), { onEvent: (e) => events.push(e), wantsPreview: () => true });
    const previews = events.filter((e): e is Extract<RunEvent, { type: 'node:preview' }> => e.type === 'node:preview');
    expect(previews.map((p) => p.step)).toEqual([...Array(20).keys()]);
    // Flow-matching sigmas with shift 3 (the sampler's sigma field): 1 first, 1/112 last, falling.
    expect(previews[0].sigma).toBe(1);
    expect(previews[19].sigma).toBeCloseTo(1 / 112, 6);
    const final = await pixelsOf(r.artifacts[0].bytes);
    const distances: number[] = [];
    for (const p of previews) {
      const px = await pixelsOf(p.image);
      let sum = 0;
      for (let i = 0; i < px.data.length; i++) sum += Math.abs(px.data[i] - final.data[i]);
      distances.push(sum / px.data.length);
    }
    expect(distances[0], distances.map((d) => d.toFixed(1)).join(' ')).toBeGreaterThan(20);
    expect(distances[19]).toBeLessThan(4);
    const std = (p: (typeof previews)[number]) => p.stats!.reduce((n, s) => n + s.std, 0) / 4;
    expect(std(previews[0])).toBeGreaterThan(0.9);
    expect(std(previews[19])).toBeLessThan(std(previews[0]) * 0.8);
  });

  it('debugger: break at step 3 of 10, step, resume: bit-identical to a plain run; a cancel stops the loop', async () => {
    const graph = flow('orange star on gray background', { steps: 10, seed: 5 });
    const steps: number[] = [];
    let onPause: (() => void) | undefined;
    const session = new DebugSession({
      runId: 'flow-debug', breakpoints: { steps: [{ nodeId: 'sampler', step: 3 }] }, pauseTimeoutMs: 60_000, onTimeout: () => undefined,
      emit: (e) => {
        if (e.type !== 'run:paused') return;
        steps.push(e.step!);
        onPause?.();
      },
    });
    const next = () => new Promise<void>((resolve) => (onPause = resolve));
    let pause = next();
    runner.resetCache();
    const done = runner.run(graph, { debug: session });
    await pause;
    pause = next();
    session.step();
    await pause;
    session.resume();
    const debugged = await done;
    runner.resetCache();
    const plain = await runner.run(graph);
    expect(steps).toEqual([3, 4]);
    const [a, b] = [await pixelsOf(debugged.artifacts[0].bytes), await pixelsOf(plain.artifacts[0].bytes)];
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);

    runner.resetCache();
    const ac = new AbortController();
    const progress: number[] = [];
    const cancelled = runner.run(graph, {
      signal: ac.signal,
      onEvent: (e) => {
        if (e.type !== 'node:progress' || e.nodeId !== 'sampler') return;
        progress.push(e.step);
        if (e.step === 2) ac.abort('stop');
      },
    });
    await expect(cancelled).rejects.toThrow(/cancel/);
    expect(Math.max(...progress)).toBeLessThanOrEqual(3);
  });

  it('img2img on the flow model: the shipped example noised by scale_noise and re-drawn in the last 12 of 20 steps', async () => {
    const events: RunEvent[] = [];
    const r = await runner.run(loadWorkflow('img2img.json', { checkpoint: { ckpt_name: 'sprites-flow' }, sampler: { cfg: 4 } }), { onEvent: (e) => events.push(e) });
    const progress = events.filter((e) => e.type === 'node:progress' && e.nodeId === 'sampler');
    expect(progress.map((e) => e.type === 'node:progress' && e.step)).toEqual([...Array(12).keys()].map((i) => i + 1));
    expect(await classifyArtifact(r)).toMatchObject({ shape: 'circle', color: 'red', background: 'blue', iou: 1, wrongCells: 0 });
  });

  it('refuses a leftover-noise hand-off on the flow model, naming the param', async () => {
    await expect(runner.run(flow('red circle on blue background', { end_step: 10, return_leftover_noise: true }))).rejects.toThrow(/return_leftover_noise/);
  });

  it('refuses an epsilon sampler on the flow model, naming the choices', async () => {
    await expect(runner.run(flow('red circle on blue background', { sampler: 'dpmpp_2m' }))).rejects.toThrow(/param_invalid: Sampler \(sampler\).*dpmpp_2m.*euler or heun/);
  });
});
