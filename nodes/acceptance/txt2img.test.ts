// Acceptance: the shipped txt2img workflow on the built-in sprites model draws what the prompt says.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../paths';
import { BACKGROUNDS, SHAPE_COLORS, SHAPES, classifySprite, COLORS, type ColorName } from '../pack/sprites';
import type { RunEvent } from '../engine/events';
import { acceptanceModelsDir } from './pack';
import { classifyArtifact, gridMisses, promptGrid, createRunner, loadWorkflow, pixelsOf } from './workflow-runner';

let modelsDir: string;
let runner: ReturnType<typeof createRunner>;

beforeAll(async () => {
  modelsDir = await acceptanceModelsDir();
  runner = createRunner(modelsDir);
});
afterAll(async () => {
  await runner?.dispose();
});

const txt2img = (prompt: string, sampler: Record<string, unknown> = {}, negative = '') =>
  loadWorkflow('txt2img.json', { positive: { text: prompt }, negative: { text: negative }, sampler });

function nearest(rgb: ArrayLike<number>): ColorName {
  let best: ColorName = 'red';
  let bestD = Infinity;
  for (const [name, c] of Object.entries(COLORS) as [ColorName, readonly number[]][]) {
    const d = (rgb[0] - c[0]) ** 2 + (rgb[1] - c[1]) ** 2 + (rgb[2] - c[2]) ** 2;
    if (d < bestD) [best, bestD] = [name, d];
  }
  return best;
}

describe('txt2img workflow on the sprites checkpoint', () => {
  it('npm run graph draws a red circle on a blue background', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-cli-out-'));
    try {
      const r = spawnSync('npm', ['run', '-s', 'graph', '--', 'run', 'workflows/txt2img.json',
        '--set', 'positive.text=red circle on blue background', '--json', '--out', out], {
        cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, MODELS_DIR: modelsDir },
      });
      const last = r.stdout.trim().split('\n').at(-1) ?? '';
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(last);
      expect(report.status).toBe('succeeded');
      const file = report.runs[0].outputs.find((o: { nodeId: string }) => o.nodeId === 'save').files[0];
      const px = await pixelsOf(fs.readFileSync(file));
      expect([px.width, px.height]).toEqual([256, 256]);
      const at = (x: number, y: number) => px.data.subarray((y * 256 + x) * 3, (y * 256 + x) * 3 + 3);
      expect(nearest(at(128, 128))).toBe('red');
      for (const [x, y] of [[2, 2], [253, 2], [2, 253], [253, 253], [128, 2]]) expect(nearest(at(x, y))).toBe('blue');
      expect(classifySprite(px.data, 256, 256)).toMatchObject({ shape: 'circle', color: 'red', background: 'blue', wrongCells: 0 });
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('draws the prompted sprite for a grid of 24 shape x colour x background prompts', async () => {
    const cases = promptGrid();
    expect(new Set(cases.map((c) => c.shape)).size).toBe(SHAPES.length);
    expect(new Set(cases.map((c) => c.color)).size).toBe(SHAPE_COLORS.length);
    expect(new Set(cases.map((c) => c.background)).size).toBe(BACKGROUNDS.length);
    const misses = await gridMisses(cases, (prompt, seed) => runner.run(txt2img(prompt, { seed })));
    expect(misses.length, misses.join('\n')).toBeLessThanOrEqual(Math.floor(cases.length * 0.05));
  });

  it('gives identical pixels for the same seed and different sprites for different seeds', async () => {
    const a = await runner.run(txt2img('a circle', { seed: 11 }));
    runner.resetCache();
    const b = await runner.run(txt2img('a circle', { seed: 11 }));
    expect(b.nodes.find((n) => n.id === 'sampler')!.cached).toBe(false);
    // The files differ only in the embedded run id; the pixels are identical.
    const [pa, pb] = [await pixelsOf(a.artifacts[0].bytes), await pixelsOf(b.artifacts[0].bytes)];
    expect(Buffer.from(pb.data).equals(Buffer.from(pa.data))).toBe(true);
    const sprites = new Set<string>();
    const colours = new Set<string | null>();
    for (let seed = 1; seed <= 8; seed++) {
      const sprite = await classifyArtifact(await runner.run(txt2img('a circle', { seed })));
      expect(sprite.shape).toBe('circle');
      sprites.add(`${sprite.color} on ${sprite.background}`);
      colours.add(sprite.color);
    }
    expect(sprites.size).toBeGreaterThanOrEqual(4);
    // The prompt names no colour: the circle's own colour varies with the seed.
    expect(colours.size).toBeGreaterThanOrEqual(3);
  });

  it('never draws a red circle for "circle" with the negative prompt "red" (20 seeds)', async () => {
    const red: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const sprite = await classifyArtifact(await runner.run(txt2img('circle', { seed }, 'red')));
      expect(sprite.shape).toBe('circle');
      if (sprite.color === 'red') red.push(seed);
    }
    expect(red, `red circles for seeds ${red.join(', ')}`).toEqual([]);
  });

  it('streams one preview per step, each at least as close to the final image as the one before', async () => {
    const events: RunEvent[] = [];
    const r = await runner.run(txt2img('yellow heart on gray background', { seed: 5 }), { onEvent: (e) => events.push(e), wantsPreview: () => true });
    const previews = events.filter((e): e is Extract<RunEvent, { type: 'node:preview' }> => e.type === 'node:preview');
    expect(previews.map((p) => p.step)).toEqual([...Array(20).keys()]);
    const final = await pixelsOf(r.artifacts[0].bytes);
    const distances: number[] = [];
    for (const p of previews) {
      const px = await pixelsOf(p.image);
      expect([px.width, px.height]).toEqual([256, 256]);
      let sum = 0;
      for (let i = 0; i < px.data.length; i++) sum += Math.abs(px.data[i] - final.data[i]);
      distances.push(sum / px.data.length);
    }
    // Previews show the latent 8 px per cell, the decoder sees it through the VAE: allow a few levels of jitter, no more.
    for (let i = 1; i < distances.length; i++) expect(distances[i], distances.map((d) => d.toFixed(1)).join(' ')).toBeLessThanOrEqual(distances[i - 1] + 2);
    expect(distances[0]).toBeGreaterThan(20);
    expect(distances[19]).toBeLessThan(4);

    // Each frame also carries the current noisy latent and its per-channel statistics: the noise
    // (std of the latent the model sees) shrinks from the first step to the last.
    expect(previews.every((p) => p.latentImage && p.stats?.length === 4)).toBe(true);
    const std = (p: (typeof previews)[number]) => p.stats!.reduce((n, s) => n + s.std, 0) / 4;
    expect(std(previews[0])).toBeGreaterThan(0.9);
    expect(std(previews[19])).toBeLessThan(std(previews[0]) * 0.8);
    const first = await pixelsOf(previews[0].latentImage!);
    expect([first.width, first.height]).toEqual([256, 256]);
  });
});
