// The exact ControlNet on the sprites model (pack part sprites-controlnet, workflows/controlnet-sprites.json): the
// hint's edges pick the shape and size of the sprite drawn, the prompt its colours; strength 0, a blank hint or a
// window without steps give the plain sprites model's pixels byte for byte.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptanceModelsDir } from '../acceptance/pack';
import { classifyArtifact, createRunner, loadWorkflow, pixelsOf } from '../acceptance/workflow-runner';
import type { Graph } from '../engine/graph';
import { IMAGE_SIZE, renderSprite, SHAPES, SIZE_NAMES, SPRITES, type ShapeName, type SpriteSize } from '../pack/sprites';
import { loadControlNet } from '../models/controlnet';
import { controlInputs } from '../models/control-inputs';
import { OnnxRuntime } from '../runtime/onnx';
import { BatchGroup } from './batch';
import { TEXT_SLOTS } from '../pack/text-encoder';

let runner: ReturnType<typeof createRunner>;
let models: string;
let hints: string;

/** A sprite as a hint file (yellow on black: Canny finds its outline at the default thresholds). */
async function writeHint(name: string, shape: ShapeName, size: SpriteSize): Promise<void> {
  const px = renderSprite({ shape, size, color: 'yellow', background: 'black' });
  await sharp(Buffer.from(px), { raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 3 } }).png().toFile(path.join(hints, name));
}

beforeAll(async () => {
  models = await acceptanceModelsDir();
  hints = fs.mkdtempSync(path.join(os.tmpdir(), 'sprites-hints-'));
  for (const shape of SHAPES) for (const size of SIZE_NAMES) await writeHint(`${shape}-${size}.png`, shape, size);
  await sharp({ create: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toFile(path.join(hints, 'blank.png'));
  runner = createRunner(models, [hints]);
}, 120_000);
afterAll(async () => {
  await runner?.dispose();
  fs.rmSync(hints, { recursive: true, force: true });
});

const graph = (over: Record<string, Record<string, unknown>> = {}) => loadWorkflow('controlnet-sprites.json', over);

/** The workflow without Apply ControlNet (the sampler gets the prompts directly), on `ckpt`. */
function plain(g: Graph, ckpt: string): Graph {
  const drop = new Set(['apply_controlnet', 'controlnet', 'canny', 'image']);
  return {
    ...g,
    nodes: g.nodes.filter((n) => !drop.has(n.id)).map((n) => (n.id === 'checkpoint' ? { ...n, params: { ckpt_name: ckpt } } : n)),
    edges: [
      ...g.edges.filter((e) => !drop.has(e.from.node) && !drop.has(e.to.node)),
      { from: { node: 'positive', output: 'conditioning' }, to: { node: 'sampler', input: 'positive' } },
      { from: { node: 'negative', output: 'conditioning' }, to: { node: 'sampler', input: 'negative' } },
    ],
  };
}

async function run(g: Graph) {
  const r = await runner.run(g);
  expect(r.status, r.error?.message).toBe('succeeded');
  return r;
}
const pixels = async (g: Graph) => Buffer.from((await pixelsOf((await run(g)).artifacts[0].bytes)).data);

describe('sprites ControlNet (exact)', () => {
  it('the shipped workflow draws a red square of the hint\'s size though the prompt names no shape', async () => {
    expect(await classifyArtifact(await run(graph()))).toMatchObject({ shape: 'square', size: 'large', color: 'red', wrongCells: 0, maxError: 0 });
    // The hint file is the white large square on navy, as rendered by the pack's own sprite code.
    const hint = await pixelsOf(fs.readFileSync(path.join(__dirname, '../../workflows/inputs/control-square.png')));
    expect(Buffer.from(hint.data)).toEqual(Buffer.from(renderSprite({ shape: 'square', size: 'large', color: 'white', background: 'navy' })));
  }, 120_000);

  it('with an empty prompt every one of the 12 outlines draws its own shape and size', async () => {
    for (const shape of SHAPES) {
      for (const size of SIZE_NAMES) {
        const c = await classifyArtifact(await run(graph({ image: { image: `${shape}-${size}.png` }, positive: { text: '' }, sampler: { seed: 7 } })));
        expect({ shape: c.shape, size: c.size, wrongCells: c.wrongCells }, `${shape}/${size}`).toEqual({ shape, size, wrongCells: 0 });
      }
    }
  }, 300_000);

  it('the hint wins over a prompt that names another shape; the prompt keeps its colours', async () => {
    const g = graph({ image: { image: 'heart-small.png' }, positive: { text: 'blue circle on gray background' } });
    expect(await classifyArtifact(await run(plain(g, 'sprites')))).toMatchObject({ shape: 'circle', color: 'blue', background: 'gray' });
    expect(await classifyArtifact(await run(g))).toMatchObject({ shape: 'heart', size: 'small', color: 'blue', background: 'gray', wrongCells: 0 });
  }, 120_000);

  it('strength 0, a blank hint and a window without steps give the plain sprites model\'s pixels byte for byte', async () => {
    // Seed 5 with "red": not the hint's large square without ControlNet, so the steered run really differs.
    const seed = { sampler: { seed: 5 } };
    const base = await pixels(plain(graph(seed), 'sprites'));
    const unsteered = await classifyArtifact(await run(plain(graph(seed), 'sprites')));
    expect([unsteered.shape, unsteered.size]).not.toEqual(['square', 'large']);
    expect(await pixels(plain(graph(seed), 'sprites-controlnet'))).toEqual(base);
    expect(await pixels(graph({ ...seed, apply_controlnet: { strength: 0 } }))).toEqual(base);
    expect(await pixels(graph({ ...seed, image: { image: 'blank.png' } }))).toEqual(base);
    // 20 euler steps: percent 1 - t/999 is 0, 0.05, ... 1; none in [0.51, 0.52].
    expect(await pixels(graph({ ...seed, apply_controlnet: { start_percent: 0.51, end_percent: 0.52 } }))).toEqual(base);
    expect(await pixels(graph(seed))).not.toEqual(base);
  }, 120_000);

  it('the ControlNet\'s outputs meet the U-Net\'s residual inputs: a log-weight per sprite, scaled by strength', async () => {
    const runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 28, onWarning: () => undefined });
    try {
      const cn = await loadControlNet(runtime, path.join(models, 'controlnet', 'sprites-canny.onnx'), 'sprites');
      const unet = await runtime.session('u', { path: path.join(models, 'checkpoints', 'sprites-controlnet', 'unet', 'model.onnx') });
      const inputs = controlInputs(unet)!;
      expect([inputs.down.map((i) => i.name), inputs.mid.name]).toEqual([['down_block_0'], 'mid_block_additional_residual']);
      expect([cn.outputs.down.map((o) => o.name), cn.outputs.mid.name]).toEqual([['down_block_0'], 'mid_block_res_sample']);
      // A 512 px latent (64x64 cells) and an outline hint of its size: every 2x2 block of cells one sprite cell.
      const sample = { data: new Float32Array(4 * 64 * 64), dims: [1, 4, 64, 64] };
      const context = { data: new Float32Array(77 * TEXT_SLOTS.width), dims: [1, 77, TEXT_SLOTS.width] };
      const hint = { data: new Float32Array(3 * 512 * 512), dims: [1, 3, 512, 512] };
      for (let y = 0; y < 512; y++) for (let x = 0; x < 512; x++) if (x === 100 || x === 400 || y === 100 || y === 400) for (let c = 0; c < 3; c++) hint.data[c * 512 * 512 + y * 512 + x] = 1;
      const full = await cn.residuals(sample, 500, context, hint, 1);
      const half = await cn.residuals(sample, 500, context, hint, 0.5);
      expect(full.down[0].dims).toEqual([1, 4, 64, 64]);
      expect(full.down[0].data.every((v) => v === 0)).toBe(true);
      expect(full.mid.dims).toEqual([1, inputs.mid.dims[1], 1, 1]);
      expect(Array.from(half.mid.data)).toEqual(Array.from(full.mid.data, (v) => Math.fround(v * 0.5)));
      const best = SPRITES[full.mid.data.indexOf(Math.max(...full.mid.data))];
      expect([best.shape, best.size]).toEqual(['square', 'large']);
    } finally {
      await runtime.dispose();
    }
  }, 120_000);
});

describe('sprites ControlNet in a dynamic batch', () => {
  it('runs with different hints, prompts and seeds share one loop and each gets its solo pixels', async () => {
    const graphs = [
      graph(),
      graph({ image: { image: 'star-small.png' }, positive: { text: 'green' }, sampler: { seed: 8 } }),
      graph({ image: { image: 'blank.png' }, positive: { text: 'pink heart' }, sampler: { seed: 9 } }),
      graph({ image: { image: 'diamond-large.png' }, positive: { text: '' }, apply_controlnet: { strength: 0.5 }, sampler: { seed: 10 } }),
    ];
    const solo: Buffer[] = [];
    for (const g of graphs) {
      runner.resetCache();
      solo.push(await pixels(g));
    }
    runner.resetCache();
    const ids = graphs.map((_, i) => `sprites-cn-batch-${i}`);
    const group = new BatchGroup(ids);
    const results = await Promise.all(graphs.map(async (g, i) => {
      try {
        return await runner.executor().run(g, { runId: ids[i], batch: group.member(ids[i]) });
      } finally {
        group.leave(ids[i]);
      }
    }));
    for (const [i, r] of results.entries()) {
      expect(r.status, r.error?.message).toBe('succeeded');
      expect(r.nodes.find((n) => n.id === 'sampler')?.batch).toEqual({ size: 4 });
      expect(Buffer.from((await pixelsOf(r.artifacts[0].bytes)).data), `run ${i}`).toEqual(solo[i]);
    }
    const shapes = await Promise.all(results.map(async (r) => (await classifyArtifact(r)).shape));
    expect([shapes[0], shapes[1], shapes[3]]).toEqual(['square', 'star', 'diamond']);
    expect(shapes[2]).toBe('heart');
  }, 300_000);
});
