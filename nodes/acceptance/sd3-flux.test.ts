// Acceptance: the shipped SD3 and Flux workflows (workflows/sd3-txt2img.json, flux-txt2img.json) run headless with
// `npm run graph -- run` on the tiny random-weight models: an image of the workflow's size that is not flat, the same
// bytes for the same seed, and the prompt (SD3) / Flux guidance reaching the picture.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../paths';
import { acceptanceModelsDir } from './pack';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-sd3-flux-'));
let modelsDir: string;
beforeAll(async () => {
  modelsDir = await acceptanceModelsDir();
}, 600_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let runs = 0;
/** One CLI run into its own folder; `timeout` is a hang guard, not a speed check. */
function run(workflow: string, ...sets: string[]): Buffer {
  const out = path.join(tmp, `run-${runs++}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'nodes/cli.ts'), 'run', `workflows/${workflow}`, ...sets.flatMap((s) => ['--set', s]), '--out', out], {
    cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 240_000, env: { ...process.env, MODELS_DIR: modelsDir },
  });
  expect(r.status, r.stderr + r.stdout).toBe(0);
  const files = fs.readdirSync(out).filter((f) => f.endsWith('.png'));
  expect(files).toHaveLength(1);
  return fs.readFileSync(path.join(out, files[0]));
}

async function stats(png: Buffer) {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let sum = 0;
  let sq = 0;
  for (const v of data) {
    sum += v;
    sq += v * v;
  }
  const mean = sum / data.length;
  return { width: info.width, height: info.height, mean, std: Math.sqrt(sq / data.length - mean * mean), data };
}

const differing = (a: Uint8Array, b: Uint8Array) => a.reduce((n, v, i) => n + (v !== b[i] ? 1 : 0), 0) / a.length;

describe.each([
  ['sd3-txt2img.json', 'positive.text=a blue whale at night'],
  ['flux-txt2img.json', 'guidance.guidance=8'],
])('%s through the CLI', (workflow, change) => {
  it('writes a 256x256 image that is not flat, the same bytes for the same seed, another picture for a changed prompt/guidance', async () => {
    const a = run(workflow, 'sampler.seed=5');
    const s = await stats(a);
    expect([s.width, s.height]).toEqual([256, 256]);
    expect(s.std).toBeGreaterThan(20);
    expect(s.mean).toBeGreaterThan(20);
    expect(s.mean).toBeLessThan(235);
    expect(Buffer.compare(run(workflow, 'sampler.seed=5'), a)).toBe(0);
    const seed = await stats(run(workflow, 'sampler.seed=6'));
    expect(differing(seed.data, s.data)).toBeGreaterThan(0.5);
    const changed = await stats(run(workflow, 'sampler.seed=5', change));
    expect(differing(changed.data, s.data)).toBeGreaterThan(0.05);
  }, 900_000);
});
