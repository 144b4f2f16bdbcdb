// RunOptions.keepSteps (PREVIEW_STEPS=all): an unwatched sampler's steps still reach onSteps for the timeline, and no
// live frame is drawn for nobody; without it an unwatched run keeps nothing (PREVIEW_STEPS=watched, the default).
import { describe, expect, it } from 'vitest';
import { Executor, type RunOptions } from './executor';
import { defineNode, param } from '../define';
import type { RunEvent } from './events';
import type { OnnxRuntime } from '../runtime/onnx';
import { ModelStore } from '../runtime/models';
import { InputStore } from '../runtime/inputs';
import { unpackSteps, type StepLatents } from './step-latents';

const RGB = { factors: [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]], bias: [0, 0, 0] };

// Offers a preview per step when asked for them, as the samplers do (nodes/sampling/step-preview.ts).
const stepper = defineNode({
  type: 'stepper', version: 1, title: 'Stepper', category: 'sampling', description: '', output: true,
  inputs: {}, params: { steps: param.int({ default: 3, min: 1 }) }, outputs: {},
  async execute(ctx, _i, p) {
    for (let i = 0; i < p.steps; i++) {
      if (!ctx.wantsPreview()) continue;
      const t = { data: new Float32Array([i, 1, 2, 3]), dims: [1, 4, 1, 1] };
      ctx.preview({ step: i, total: p.steps, sigma: p.steps - i, x0: t, latent: t, latentRgb: RGB, stats: [] });
    }
    return {};
  },
});

async function run(opts: Partial<RunOptions>) {
  const executor = new Executor({
    runtime: { ortMs: 0 } as OnnxRuntime, models: new ModelStore('/none'), inputs: new InputStore([]), nodes: [stepper], cacheBytes: 0,
    encodePreview: async () => new Uint8Array([1]),
  });
  const events: RunEvent[] = [];
  const kept: StepLatents[] = [];
  const result = await executor.run(
    { nodes: [{ id: 's', type: 'stepper', params: { steps: 3 } }], edges: [] },
    { runId: 'r', onEvent: (e) => events.push(e), onSteps: (b) => kept.push(...unpackSteps(b, { copy: true })), ...opts },
  );
  expect(result.status).toBe('succeeded');
  return { kept, frames: events.filter((e) => e.type === 'node:preview').length };
}

describe('keepSteps', () => {
  it('keeps every step of an unwatched run, without drawing live frames', async () => {
    const { kept, frames } = await run({ keepSteps: true, wantsPreview: () => false });
    expect(kept.map((s) => [s.nodeId, s.step, s.sigma, s.x0[0]])).toEqual([['s', 0, 3, 0], ['s', 1, 2, 1], ['s', 2, 1, 2]]);
    expect(frames).toBe(0);
  });

  it('an unwatched run without it keeps nothing; a watched one keeps every step and draws frames', async () => {
    expect(await run({ wantsPreview: () => false })).toEqual({ kept: [], frames: 0 });
    const watched = await run({ wantsPreview: () => true });
    expect(watched.kept.map((s) => s.step)).toEqual([0, 1, 2]);
    expect(watched.frames).toBe(3);
  });
});
