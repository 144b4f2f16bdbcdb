// Acceptance: the shipped inpainting workflow on the sprites pack repaints only the masked circle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { decodeImage, tensorToHwc } from '../runtime/image';
import { classifySprite, renderSprite } from '../pack/sprites';
import { WORKFLOWS_DIR } from '../paths';
import type { LatentValue } from '../values';
import { acceptanceModelsDir } from './pack';
import { createRunner, loadWorkflow, pixelsOf } from './workflow-runner';

let runner: ReturnType<typeof createRunner>;

beforeAll(async () => {
  runner = createRunner(await acceptanceModelsDir());
});
afterAll(async () => {
  await runner?.dispose();
});

/** The shipped input: a red circle (radius 88 px) on blue, transparent within 104 px of the centre (the circle grown 16 px). */
const inMask = (x: number, y: number) => (x + 0.5 - 128) ** 2 + (y + 0.5 - 128) ** 2 <= 104 * 104;
const source = renderSprite({ shape: 'circle', color: 'red', background: 'blue', size: 'large' });

describe('inpaint workflow', () => {
  it('ships a red circle on blue whose transparent area is the circle grown by 16 px', async () => {
    const rgba = tensorToHwc(await decodeImage(fs.readFileSync(path.join(WORKFLOWS_DIR, 'inputs', 'inpaint-circle.png')), { keepAlpha: true }));
    let wrong = 0;
    for (let y = 0; y < 256; y++) {
      for (let x = 0; x < 256; x++) {
        const i = y * 256 + x;
        const rgbSame = [0, 1, 2].every((c) => rgba.data[i * 4 + c] === source[i * 3 + c]);
        if (!rgbSame || rgba.data[i * 4 + 3] !== (inMask(x, y) ? 0 : 255)) wrong++;
      }
    }
    expect(wrong).toBe(0);
  });

  // Outside the mask the sampler ends on the source latent exactly; the tolerance covers only the decoder's
  // float arithmetic and 8-bit rounding (1/255).
  const OUTSIDE_TOLERANCE = 1;

  for (const seed of [42, 7, 123]) {
    it(`turns the masked red circle into a green square on the same blue (seed ${seed}, Euler, 20 steps)`, async () => {
      const r = await runner.run(loadWorkflow('inpaint.json', { sampler: { seed } }));
      expect((r.values.get('noise_mask')!.latent as LatentValue).noiseMask!.dims).toEqual([1, 1, 256, 256]);
      const px = await pixelsOf(r.artifacts[0].bytes);
      const sprite = classifySprite(px.data, 256, 256);
      expect(sprite).toMatchObject({ shape: 'square', color: 'green', background: 'blue', wrongCells: 0 });
      const square = renderSprite({ shape: 'square', color: 'green', background: 'blue', size: sprite.size! });
      let outsideMax = 0;
      let insideMax = 0;
      let outsideN = 0;
      for (let y = 0; y < 256; y++) {
        for (let x = 0; x < 256; x++) {
          const i = y * 256 + x;
          for (let c = 0; c < 3; c++) {
            const v = px.data[i * 3 + c];
            if (inMask(x, y)) insideMax = Math.max(insideMax, Math.abs(v - square[i * 3 + c]));
            else outsideMax = Math.max(outsideMax, Math.abs(v - source[i * 3 + c]));
          }
          if (!inMask(x, y)) outsideN++;
        }
      }
      expect(outsideN).toBeGreaterThan(20_000);
      expect(outsideMax).toBeLessThanOrEqual(OUTSIDE_TOLERANCE);
      expect(insideMax).toBeLessThanOrEqual(2);
    });
  }

  it('without the mask the same prompt redraws the whole image (the mask is what keeps the outside)', async () => {
    const graph = loadWorkflow('inpaint.json', { positive: { text: 'green square on navy background' } });
    const masked = await pixelsOf((await runner.run(graph)).artifacts[0].bytes);
    // Masked: the kept blue wins over the prompt's navy outside the mask.
    expect(classifySprite(masked.data, 256, 256).background).toBe('blue');
    graph.edges = graph.edges.filter((e) => e.to.node !== 'sampler' || e.to.input !== 'latent');
    graph.edges.push({ from: { node: 'encode', output: 'latent' }, to: { node: 'sampler', input: 'latent' } });
    const plain = await pixelsOf((await runner.run(graph)).artifacts[0].bytes);
    expect(classifySprite(plain.data, 256, 256)).toMatchObject({ shape: 'square', color: 'green', background: 'navy' });
  });
});
