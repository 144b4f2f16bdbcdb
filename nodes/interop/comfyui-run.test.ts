// Imported ComfyUI workflows run on the built-in sprites pack through the real Executor and draw
// what their prompts say.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunner, classifyArtifact, pixelsOf } from '../acceptance/workflow-runner';
import type { RunEvent } from '../engine/events';
import { validateGraph } from '../engine/validate';
import { ensurePack } from '../pack/generate';
import { getCatalog } from '../registry';
import { importComfyWorkflow } from './comfyui';
import { comfyTwoPass, comfyTxt2img } from './comfyui-fixtures';

let runner: ReturnType<typeof createRunner>;

beforeAll(async () => {
  runner = createRunner((await ensurePack()).modelsDir);
});
afterAll(async () => {
  await runner?.dispose();
});

function imported(prompt: ReturnType<typeof comfyTxt2img>) {
  const { graph } = importComfyWorkflow(JSON.stringify(prompt));
  expect(validateGraph(graph, { catalog: getCatalog() })).toMatchObject({ ok: true });
  return graph;
}

describe('ComfyUI workflows on the sprites pack', () => {
  it('the default txt2img graph draws the prompted sprite', async () => {
    const r = await runner.run(imported(comfyTxt2img('green star on navy background')));
    expect(r.artifacts.map((a) => [a.nodeId, a.filename, a.width, a.height])).toEqual([['save', 'ComfyUI_000.png', 256, 256]]);
    expect(await classifyArtifact(r)).toMatchObject({ shape: 'star', color: 'green', background: 'navy', wrongCells: 0 });
  });

  it('a negative prompt keeps working through CFG', async () => {
    const r = await runner.run(imported(comfyTxt2img('yellow square on gray background', 'red')));
    expect(await classifyArtifact(r)).toMatchObject({ shape: 'square', color: 'yellow', background: 'gray', wrongCells: 0 });
  });

  it('two KSamplerAdvanced passes (0-14 with leftover noise, then 14-20) give the one-pass image', async () => {
    const events: RunEvent[] = [];
    const split = await runner.run(imported(comfyTwoPass('pink heart on black background')), { onEvent: (e) => events.push(e) });
    const lastProgress = (nodeId: string) => events.filter((e) => e.type === 'node:progress' && e.nodeId === nodeId).at(-1);
    expect(lastProgress('sampler_10')).toMatchObject({ step: 14, total: 14 });
    expect(lastProgress('sampler_11')).toMatchObject({ step: 6, total: 6 });
    const whole = await runner.run(imported(comfyTxt2img('pink heart on black background')));
    expect(await classifyArtifact(split)).toMatchObject({ shape: 'heart', color: 'pink', background: 'black', wrongCells: 0 });
    const [a, b] = [await pixelsOf(split.artifacts[0].bytes), await pixelsOf(whole.artifacts[0].bytes)];
    let maxDiff = 0;
    for (let i = 0; i < a.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.data[i] - b.data[i]));
    expect(maxDiff).toBeLessThanOrEqual(1);
  });
});
