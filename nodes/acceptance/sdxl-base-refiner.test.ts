// workflows/sdxl-base-refiner.json on the tiny SDXL models: the headless runner end to end (size, pixel statistics,
// same seed -> same bytes, the prompt reaching the image), and the base -> refiner hand-off at 16 of 20 steps.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../engine/events';
import { PROJECT_ROOT } from '../paths';
import { acceptanceModelsDir } from './pack';
import { createRunner, loadWorkflow, pixelsOf } from './workflow-runner';

const WORKFLOW = 'workflows/sdxl-base-refiner.json';
let models: string;
let runner: ReturnType<typeof createRunner>;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-sdxl-cli-'));

beforeAll(async () => {
  models = await acceptanceModelsDir();
  runner = createRunner(models);
}, 600_000);
afterAll(async () => {
  await runner?.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** `npm run graph -- run` as a child process; the timeout is a hang guard, not a speed check. */
function cli(out: string, ...sets: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'nodes/cli.ts'), 'run', WORKFLOW, ...sets.flatMap((s) => ['--set', s]), '--json', '--out', out], {
    cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 ** 2, env: { ...process.env, MODELS_DIR: models },
  });
  expect(r.status, r.stderr).toBe(0);
  const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  return report.runs[0].outputs.find((o: { nodeId: string }) => o.nodeId === 'save').files[0] as string;
}

/** Mean and standard deviation of the grey level (channel average), and the number of distinct colours. */
async function stats(file: string) {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const n = info.width * info.height;
  let sum = 0;
  let sq = 0;
  const colours = new Set<number>();
  for (let i = 0; i < data.length; i += 3) {
    const grey = (data[i] + data[i + 1] + data[i + 2]) / 3;
    sum += grey;
    sq += grey * grey;
    colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
  }
  const mean = sum / n;
  return { size: [info.width, info.height], grey: { mean, std: Math.sqrt(sq / n - mean * mean) }, colours: colours.size, data };
}

describe('workflows/sdxl-base-refiner.json', () => {
  it('runs headless: a 256x256 image with spread-out pixels, the same bytes for the same seed, another image for another prompt', async () => {
    const a = cli(path.join(tmp, 'a'), 'positive.text=a red boat on a lake', 'sampler.seed=7', 'refiner.seed=7');
    const b = cli(path.join(tmp, 'b'), 'positive.text=a red boat on a lake', 'sampler.seed=7', 'refiner.seed=7');
    expect(fs.readFileSync(a).equals(fs.readFileSync(b))).toBe(true);
    const s = await stats(a);
    expect(s.size).toEqual([256, 256]);
    // Random weights drive the VAE's Tanh into saturation (tiny-sd looks the same), so channel means sit near the ends;
    // still the image is no flat colour: many colours (28 measured) and a spread of grey levels.
    expect(s.colours).toBeGreaterThan(16);
    expect(s.grey.std).toBeGreaterThan(20);
    expect(s.grey.mean).toBeGreaterThan(5);
    expect(s.grey.mean).toBeLessThan(250);
    const other = await stats(cli(path.join(tmp, 'c'), 'positive.text=a green forest', 'sampler.seed=7', 'refiner.seed=7'));
    let changed = 0;
    for (let i = 0; i < s.data.length; i++) if (s.data[i] !== other.data[i]) changed++;
    expect(changed / s.data.length).toBeGreaterThan(0.1);
  }, 900_000);

  it('the base sampler runs steps 1-16 and hands its leftover noise to the refiner, which runs 17-20', async () => {
    const events: RunEvent[] = [];
    await runner.run(loadWorkflow('sdxl-base-refiner.json'), { onEvent: (e) => events.push(e) });
    const progress = (node: string) => events.flatMap((e) => (e.type === 'node:progress' && e.nodeId === node ? [`${e.step}/${e.total}`] : []));
    expect(progress('sampler')).toEqual(Array.from({ length: 16 }, (_, i) => `${i + 1}/16`));
    expect(progress('refiner')).toEqual(['1/4', '2/4', '3/4', '4/4']);
  }, 300_000);

  it('the hand-off continues exactly: base for 16 steps then the same model for 4 equals one 20-step run', async () => {
    const split = loadWorkflow('sdxl-base-refiner.json');
    // The refiner stage on the base model and the base conditioning.
    split.edges = split.edges.map((e) => {
      if (e.to.node !== 'refiner') return e;
      if (e.to.input === 'model') return { ...e, from: { node: 'checkpoint', output: 'model' } };
      if (e.to.input === 'positive') return { ...e, from: { node: 'positive', output: 'conditioning' } };
      if (e.to.input === 'negative') return { ...e, from: { node: 'negative', output: 'conditioning' } };
      return e;
    });
    const whole = loadWorkflow('sdxl-base-refiner.json', { sampler: { end_step: 10000, return_leftover_noise: false } });
    whole.nodes = whole.nodes.filter((n) => !n.id.startsWith('refiner'));
    whole.edges = whole.edges.filter((e) => !e.from.node.startsWith('refiner') && !e.to.node.startsWith('refiner'))
      .concat({ from: { node: 'sampler', output: 'latent' }, to: { node: 'decode', input: 'latent' } });
    const [a, b] = [await runner.run(split), await runner.run(whole)];
    const [pa, pb] = [await pixelsOf(a.artifacts[0].bytes), await pixelsOf(b.artifacts[0].bytes)];
    expect(Buffer.from(pa.data).equals(Buffer.from(pb.data))).toBe(true);
    // ... and the SDXL refiner really does something else than the base would.
    const refined = await pixelsOf((await runner.run(loadWorkflow('sdxl-base-refiner.json'))).artifacts[0].bytes);
    expect(Buffer.from(refined.data).equals(Buffer.from(pa.data))).toBe(false);
  }, 300_000);

  it('lora.json on tiny-sdxl: the SDXL kohya LoRA fits every layer (no warnings) and changes the image', async () => {
    const events: RunEvent[] = [];
    const run = async (strength: number) => runner.run(loadWorkflow('lora.json', {
      checkpoint: { ckpt_name: 'tiny-sdxl' }, latent: { width: 64, height: 64 },
      lora: { lora_name: 'tiny-sdxl-kohya.safetensors', strength_model: strength, strength_clip: strength },
    }), { onEvent: (e) => events.push(e) });
    const [off, on] = [await run(0), await run(1)];
    // Neither a live warning (keys that fit no weight) nor a run-level lora_fit warning on the loader.
    const lora = events.filter((e) => 'nodeId' in e && e.nodeId === 'lora');
    expect(lora.filter((e) => e.type === 'node:warning')).toEqual([]);
    expect(lora.filter((e) => e.type === 'node:finished').map((e) => e.type === 'node:finished' && e.warnings)).toEqual([undefined, undefined]);
    const [a, b] = [await pixelsOf(off.artifacts[0].bytes), await pixelsOf(on.artifacts[0].bytes)];
    expect([b.width, b.height]).toEqual([64, 64]);
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(false);
  }, 300_000);
});
