// ControlNet wiring on the pack's tiny-sd-controlnet: strength, step windows, residual names/shapes, typed errors,
// and the shipped workflow's determinism.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptanceModelsDir } from '../acceptance/pack';
import { createRunner, loadWorkflow, pixelsOf } from '../acceptance/workflow-runner';
import type { Graph } from '../engine/graph';
import { OnnxRuntime } from '../runtime/onnx';
import { loadControlNet } from '../models/controlnet';
import { controlInputs } from '../models/control-inputs';
import path from 'node:path';
import { BatchGroup } from './batch';

let runner: ReturnType<typeof createRunner>;
let models: string;
beforeAll(async () => {
  models = await acceptanceModelsDir();
  runner = createRunner(models);
}, 120_000);
afterAll(async () => {
  await runner?.dispose();
});

const graph = (apply: Record<string, unknown> = {}, more: Record<string, Record<string, unknown>> = {}) =>
  loadWorkflow('controlnet-canny.json', { apply_controlnet: apply, ...more });

/** The workflow with Apply ControlNet taken out: the sampler gets the prompts directly. */
function withoutControlNet(g: Graph): Graph {
  const drop = new Set(['apply_controlnet', 'controlnet', 'canny', 'image']);
  return {
    ...g,
    nodes: g.nodes.filter((n) => !drop.has(n.id)),
    edges: [
      ...g.edges.filter((e) => !drop.has(e.from.node) && !drop.has(e.to.node)),
      { from: { node: 'positive', output: 'conditioning' }, to: { node: 'sampler', input: 'positive' } },
      { from: { node: 'negative', output: 'conditioning' }, to: { node: 'sampler', input: 'negative' } },
    ],
  };
}

const bytes = async (g: Graph) => Buffer.from((await runner.run(g)).artifacts[0].bytes);
/** Decoded pixels: a PNG also embeds its graph, so images of different graphs compare by pixels. */
const pixels = async (g: Graph) => Buffer.from((await pixelsOf(await bytes(g))).data);
const meanAbsDiff = (a: Buffer, b: Buffer) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i] - b[i]);
  return d / a.length;
};

describe('ControlNet wiring (tiny-sd-controlnet)', () => {
  it('the ControlNet residuals match the U-Net inputs by name and shape', async () => {
    const runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 28, onWarning: () => undefined });
    try {
      const cn = await loadControlNet(runtime, path.join(models, 'controlnet', 'tiny-sd-controlnet.onnx'), 'tiny');
      const unet = await runtime.session('u', { path: path.join(models, 'checkpoints', 'tiny-sd-controlnet', 'unet', 'model.onnx') });
      const inputs = controlInputs(unet)!;
      expect(inputs.down.map((i) => i.name)).toEqual(['down_block_0']);
      expect(inputs.mid.name).toBe('mid_block_additional_residual');
      expect(cn.outputs.down.map((o) => o.name)).toEqual(['down_block_0']);
      expect(cn.outputs.mid.name).toBe('mid_block_res_sample');
      // 64 px image = 8x8 latent; the tiny U-Net's one skip connection and mid block are at 4x4 with 32 channels.
      const sample = { data: new Float32Array(2 * 4 * 64).fill(0.1), dims: [2, 4, 8, 8] };
      const context = { data: new Float32Array(2 * 77 * 32).fill(0.01), dims: [2, 77, 32] };
      const hint = { data: new Float32Array(2 * 3 * 64 * 64).fill(1), dims: [2, 3, 64, 64] };
      const r = await cn.residuals(sample, 500, context, hint, 1);
      expect(r.down.map((t) => t.dims)).toEqual([[2, 32, 4, 4]]);
      expect(r.mid.dims).toEqual([2, 32, 4, 4]);
      expect(inputs.down[0].dims[1]).toBe(32);
      // conditioning_scale multiplies inside the export, as ControlNetModel does.
      const half = await cn.residuals(sample, 500, context, hint, 0.5);
      expect(half.mid.data[5]).toBeCloseTo(r.mid.data[5] / 2, 6);
      expect(Math.abs(r.mid.data[5])).toBeGreaterThan(1e-3);
    } finally {
      await runtime.dispose();
    }
  });

  it('strength 0 and a window that excludes every step give the image without ControlNet; strength 1 changes it', async () => {
    const plain = await pixels(withoutControlNet(graph()));
    expect(await pixels(graph({ strength: 0 }))).toEqual(plain);
    // 8 euler steps on 1000 training steps: timesteps 999 ... 0, percent 1 - t/999 = 0, 0.14 ... 1; none in [0.5, 0.55].
    expect(await pixels(graph({ start_percent: 0.5, end_percent: 0.55 }))).toEqual(plain);
    const steered = await pixels(graph());
    expect(meanAbsDiff(steered, plain)).toBeGreaterThan(2);
    // The hint matters: the checkerboard flipped is its inverse, whose edges sit one pixel over (ties go to white).
    const g = graph();
    const flipped: Graph = {
      ...g,
      nodes: [...g.nodes, { id: 'flip', type: 'transform', typeVersion: 1, params: { operation: 'flip_horizontal' } }],
      edges: [
        ...g.edges.filter((e) => e.to.node !== 'canny'),
        { from: { node: 'image', output: 'image' }, to: { node: 'flip', input: 'image' } },
        { from: { node: 'flip', output: 'image' }, to: { node: 'canny', input: 'image' } },
      ],
    };
    expect(await pixels(flipped)).not.toEqual(steered);
    // Acting on part of the schedule gives a third image.
    const late = await pixels(graph({ start_percent: 0.5, end_percent: 1 }));
    expect(late).not.toEqual(plain);
    expect(late).not.toEqual(steered);
  }, 120_000);

  it('without a ControlNet the residual U-Net samples exactly what tiny-sd does (same weights, zero residuals)', async () => {
    const g = withoutControlNet(graph());
    const tiny = { ...g, nodes: g.nodes.map((n) => (n.id === 'checkpoint' ? { ...n, params: { ckpt_name: 'tiny-sd' } } : n)) };
    expect(await pixels(g)).toEqual(await pixels(tiny));
  }, 120_000);

  it('the same seed gives the same bytes; another seed other bytes', async () => {
    runner.resetCache();
    const a = await bytes(graph());
    runner.resetCache();
    expect(await bytes(graph())).toEqual(a);
    expect(await bytes(graph({}, { sampler: { seed: 43 } }))).not.toEqual(a);
    expect((await pixelsOf(a)).width).toBe(64);
  }, 120_000);

  it('runs with a ControlNet dispatched together share one loop and get their solo images', async () => {
    const graphs = [graph(), graph({}, { sampler: { seed: 7 } })];
    const solo = [await pixels(graphs[0]), await pixels(graphs[1])];
    runner.resetCache();
    const ids = ['cn-batch-0', 'cn-batch-1'];
    const group = new BatchGroup(ids);
    const results = await Promise.all(graphs.map((g, i) => runner.executor().run(g, { runId: ids[i], batch: group.member(ids[i]) })));
    for (const [i, r] of results.entries()) {
      expect(r.status, r.error?.message).toBe('succeeded');
      expect(r.nodes.find((n) => n.id === 'sampler')?.batch).toEqual({ size: 2 });
      expect(Buffer.from((await pixelsOf(r.artifacts[0].bytes)).data)).toEqual(solo[i]);
    }
  }, 120_000);

  it('a U-Net without residual inputs fails, naming the sampler and the U-Net file', async () => {
    const g = graph();
    const plainCkpt = { ...g, nodes: g.nodes.map((n) => (n.id === 'checkpoint' ? { ...n, params: { ckpt_name: 'tiny-sd' } } : n)) };
    const r = await runner.executor().run(plainCkpt, { runId: 'no-residuals' });
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ nodeId: 'sampler', code: 'controlnet_unsupported' });
    expect(r.error!.message).toContain(path.join('checkpoints', 'tiny-sd', 'unet', 'model.onnx'));
  }, 120_000);

  it('a start after the end fails on Apply ControlNet, naming the param', async () => {
    const r = await runner.executor().run(graph({ start_percent: 0.8, end_percent: 0.2 }), { runId: 'bad-window' });
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ nodeId: 'apply_controlnet', code: 'param_invalid' });
    expect(r.error!.message).toContain('start_percent');
  }, 120_000);
});
