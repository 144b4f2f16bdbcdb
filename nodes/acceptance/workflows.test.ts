// Acceptance: the refine + upscale and img2img workflows shipped in workflows/ on the built-in pack.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../engine/events';
import { renderSprite } from '../pack/sprites';
import type { LatentValue } from '../values';
import { acceptanceModelsDir } from './pack';
import { loraLoader } from '../defs/loaders/lora-loader';
import { classifyArtifact, createRunner, loadWorkflow, pixelsOf } from './workflow-runner';

let modelsDir: string;
let inputs: string;
let runner: ReturnType<typeof createRunner>;

beforeAll(async () => {
  modelsDir = await acceptanceModelsDir();
  inputs = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-inputs-'));
  const sprite = renderSprite({ shape: 'heart', color: 'pink', background: 'navy', size: 'large' });
  await sharp(sprite, { raw: { width: 256, height: 256, channels: 3 } }).png().toFile(path.join(inputs, 'pink-heart.png'));
  runner = createRunner(modelsDir, [inputs], [loraLoader]);
});
afterAll(async () => {
  await runner?.dispose();
  if (inputs) fs.rmSync(inputs, { recursive: true, force: true });
});

const progressOf = (events: RunEvent[], nodeId: string) =>
  events.filter((e): e is Extract<RunEvent, { type: 'node:progress' }> => e.type === 'node:progress' && e.nodeId === nodeId);

describe('txt2img-refine-upscale workflow', () => {
  it('hands the last 30 % to the refiner and upscales the sprite x4 to 1024x1024', async () => {
    const events: RunEvent[] = [];
    const graph = loadWorkflow('txt2img-refine-upscale.json', { positive: { text: 'green star on navy background' }, sampler: { seed: 3 }, refiner: { seed: 3 } });
    const r = await runner.run(graph, { onEvent: (e) => events.push(e) });
    const handoff = r.values.get('sampler')!.latent as LatentValue;
    expect(handoff.leftoverNoise).toBe(true);
    expect(handoff.schedule).toEqual({ steps: 20, endStep: 14 });
    expect(progressOf(events, 'sampler').at(-1)).toMatchObject({ step: 14, total: 14 });
    expect(progressOf(events, 'refiner').at(-1)).toMatchObject({ step: 6, total: 6 });
    expect([r.artifacts[0].width, r.artifacts[0].height]).toEqual([1024, 1024]);
    expect(await classifyArtifact(r)).toMatchObject({ shape: 'star', color: 'green', background: 'navy', wrongCells: 0 });
  });
});

describe('img2img workflow', () => {
  it('re-draws the shipped example as a clean sprite, running the last 12 of 20 steps', async () => {
    const events: RunEvent[] = [];
    const r = await runner.run(loadWorkflow('img2img.json'), { onEvent: (e) => events.push(e) });
    expect(progressOf(events, 'sampler').map((e) => e.step)).toEqual([...Array(12).keys()].map((i) => i + 1));
    const sprite = await classifyArtifact(r);
    expect(sprite.iou).toBe(1);
    expect(sprite.wrongCells).toBe(0);
  });

  it('keeps a sprite that already matches its prompt', async () => {
    const graph = loadWorkflow('img2img.json', { image: { image: 'pink-heart.png' }, positive: { text: 'pink heart on navy background' } });
    const sprite = await classifyArtifact(await runner.run(graph));
    expect(sprite).toMatchObject({ shape: 'heart', size: 'large', color: 'pink', background: 'navy', wrongCells: 0 });
  });
});

describe('lora workflow', () => {
  it('strength 0 draws exactly what txt2img draws; strength 1 visibly changes the colours', async () => {
    const prompt = { text: 'red circle on blue background' };
    const base = await runner.run(loadWorkflow('txt2img.json', { positive: prompt, sampler: { seed: 8 } }));
    const off = await runner.run(loadWorkflow('lora.json', { positive: prompt, sampler: { seed: 8 }, lora: { strength_model: 0, strength_clip: 0 } }));
    // Same pixels (the files differ in the embedded graph and run id).
    expect(Buffer.from((await pixelsOf(off.artifacts[0].bytes)).data).equals(Buffer.from((await pixelsOf(base.artifacts[0].bytes)).data))).toBe(true);
    const on = await runner.run(loadWorkflow('lora.json', { positive: prompt, sampler: { seed: 8 } }));
    const a = await pixelsOf(base.artifacts[0].bytes);
    const b = await pixelsOf(on.artifacts[0].bytes);
    let changed = 0;
    for (let p = 0; p < a.data.length; p += 3) {
      if (Math.abs(a.data[p] - b.data[p]) + Math.abs(a.data[p + 1] - b.data[p + 1]) + Math.abs(a.data[p + 2] - b.data[p + 2]) > 60) changed++;
    }
    expect(changed / (a.data.length / 3)).toBeGreaterThan(0.2);
  });
});
