// Acceptance: the shipped hires-fix workflow (txt2img at 256, Latent Upscale x2, a second pass at denoise 0.5)
// draws the prompted sprite at 512x512, as sharp as the 256x256 one and matching it block for block.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../engine/graph';
import { classifySprite, COLORS } from '../pack/sprites';
import { acceptanceModelsDir } from './pack';
import { createRunner, loadWorkflow, pixelsOf } from './workflow-runner';

let runner: ReturnType<typeof createRunner>;

beforeAll(async () => {
  runner = createRunner(await acceptanceModelsDir());
});
afterAll(async () => {
  await runner?.dispose();
});

type Pixels = Awaited<ReturnType<typeof pixelsOf>>;

/** Pixels farther than 24 levels (summed over RGB) from every palette colour: blur and noise show up here. */
function offPalette(px: Pixels): number {
  let n = 0;
  for (let p = 0; p < px.data.length; p += 3) {
    const d = Math.min(...Object.values(COLORS).map((c) => Math.abs(px.data[p] - c[0]) + Math.abs(px.data[p + 1] - c[1]) + Math.abs(px.data[p + 2] - c[2])));
    if (d > 24) n++;
  }
  return n;
}

/** Largest channel difference of `big` from `small` upscaled x2 by nearest neighbour. */
function againstNearestX2(big: Pixels, small: Pixels): number {
  let max = 0;
  for (let y = 0; y < big.height; y++) {
    for (let x = 0; x < big.width; x++) {
      for (let k = 0; k < 3; k++) {
        const d = Math.abs(big.data[(y * big.width + x) * 3 + k] - small.data[((y >> 1) * small.width + (x >> 1)) * 3 + k]);
        max = Math.max(max, d);
      }
    }
  }
  return max;
}

const bypass = (graph: Graph, id: string): Graph => ({ ...graph, nodes: graph.nodes.map((n) => (n.id === id ? { ...n, mode: 'bypass' as const } : n)) });

describe('hires-fix workflow on the sprites checkpoint', () => {
  it.each([
    ['yellow star on navy background', 42],
    ['red circle on blue background', 7],
    ['white heart on brown background', 19],
  ] as const)('"%s" (seed %i): 2x each side, a sharp upscale of the 1x txt2img output', async (prompt, seed) => {
    const overrides = { positive: { text: prompt }, sampler: { seed } };
    const hires = await runner.run(loadWorkflow('hires-fix.json', { ...overrides, hires_sampler: { seed: seed + 1 } }));
    const base = await runner.run(loadWorkflow('txt2img.json', overrides));
    const [big, small] = [await pixelsOf(hires.artifacts[0].bytes), await pixelsOf(base.artifacts[0].bytes)];
    expect([small.width, small.height]).toEqual([256, 256]);
    expect([big.width, big.height]).toEqual([512, 512]);

    const [color, shape, , background] = prompt.split(' ');
    expect(classifySprite(small.data, 256, 256)).toMatchObject({ shape, color, background, wrongCells: 0 });
    expect(classifySprite(big.data, 512, 512)).toMatchObject({ shape, color, background, wrongCells: 0 });
    // Every 2x2 block of the 512 image is the 256 image's pixel (0 levels apart when measured; 3 allows the
    // leftover noise of a last step to round differently).
    expect(againstNearestX2(big, small)).toBeLessThanOrEqual(3);
    expect(offPalette(big)).toBe(0);

    // Without the second pass the bilinear latent decodes with blurred edges: the pass is what sharpens them.
    const blurred = await pixelsOf((await runner.run(bypass(loadWorkflow('hires-fix.json', overrides), 'hires_sampler'))).artifacts[0].bytes);
    expect([blurred.width, blurred.height]).toEqual([512, 512]);
    expect(offPalette(blurred)).toBeGreaterThan(5000);
  });

  it('names the size the sprites U-Net can draw when the latent is not a whole number of sprites', async () => {
    const graph = loadWorkflow('hires-fix.json', { upscale: { scale: 1.5 } });
    const r = await runner.executor().run(graph, { runId: 'hires-1.5' });
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ nodeId: 'hires_sampler', code: 'model_input' });
    expect(r.error!.message).toContain('multiples of 256 px');
    expect(r.error!.message).toContain('got 384x384');
  });
});
