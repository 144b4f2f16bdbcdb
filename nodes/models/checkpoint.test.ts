import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxRuntime } from '../runtime/onnx';
import { loadCheckpoint, type LoadedCheckpoint } from './checkpoint';
import { TOY_SCALING, TOY_WORDS, toyTokenizer, writeToyCheckpoint, type ToyOptions } from './testing/toy-checkpoint';
import { createScheduler } from '../sampling/schedulers';
import { SD15_SCHEDULER_CONFIG } from './defaults';
import { ModelFormatError } from './errors';

let tmp: string;
let runtime: OnnxRuntime;
const acp = createScheduler('ddim', { ...SD15_SCHEDULER_CONFIG }).alphasCumprod;

async function load(name: string, o: ToyOptions = {}): Promise<LoadedCheckpoint> {
  return loadCheckpoint(runtime, writeToyCheckpoint(path.join(tmp, name), o), name);
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-ckpt-'));
  runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 30, intraOpThreads: 1, onWarning: () => undefined });
});
afterAll(async () => {
  await runtime.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('checkpoint folder', () => {
  it('reads configs, stepflow.json extras and the tokenizer folder', async () => {
    const ck = await load('plain');
    expect(ck.folder.scalingFactor).toBe(TOY_SCALING);
    expect(ck.folder.resolution).toEqual([64, 64]);
    expect(ck.unet.schedulerConfig.beta_schedule).toBe('scaled_linear');
    expect(ck.unet.latentRgb.factors[0]).toEqual([1, 0, 0]);
    expect(ck.unet.maxBatch).toBe(Infinity);
    expect(ck.vae.hasEncoder).toBe(true);
    expect(ck.notes).toEqual([]);
  });

  it('names the missing parts of a broken folder', async () => {
    const dir = path.join(tmp, 'broken');
    writeToyCheckpoint(dir);
    fs.rmSync(path.join(dir, 'unet'), { recursive: true });
    await expect(loadCheckpoint(runtime, dir)).rejects.toThrow(/lacks unet\/model\.onnx/);
    await expect(loadCheckpoint(runtime, dir)).rejects.toBeInstanceOf(ModelFormatError);
  });
});

describe('CLIP', () => {
  it('encodes tokens into one 77-token window per 75 tokens', async () => {
    const { clip } = await load('clip');
    const c = await clip.encode('a red ball');
    expect(c.embeddings.dims).toEqual([1, 77, 4]);
    const ids = toyTokenizer().encode('a red ball');
    expect(c.tokens.map((t) => t.id)).toEqual(ids);
    // position 0 is BOS; "red" is content token 2 -> position 2
    expect(Array.from(c.embeddings.data.subarray(2 * 4, 3 * 4))).toEqual(TOY_WORDS.red.map(Math.fround));
    const long = await clip.encode(Array.from({ length: 100 }, () => 'blue').join(' '));
    expect(long.embeddings.dims).toEqual([1, 154, 4]);
    // window 2 starts with BOS (zero) then "blue"
    expect(long.embeddings.data[(77 + 1) * 4 + 2]).toBeCloseTo(0.4, 6);
    expect(long.embeddings.data[77 * 4 + 2]).toBe(0);
  });

  it('applies emphasis relative to the empty prompt', async () => {
    const { clip } = await load('emph');
    const c = await clip.encode('(red:1.5) [blue]');
    expect(c.tokens.map((t) => t.weight)).toEqual([1.5, 1 / 1.1]);
    expect(c.embeddings.data[1 * 4 + 0]).toBeCloseTo(0.6, 6);
    expect(c.embeddings.data[2 * 4 + 2]).toBeCloseTo(0.4 / 1.1, 6);
  });
});

describe('U-Net', () => {
  const y = [0.4, 0, 0, 0];
  function expectedEps(x: number, t: number, ch: number): number {
    const a = acp[t];
    return (x - Math.sqrt(a) * y[ch]) / Math.sqrt(1 - a);
  }

  for (const [label, o] of [
    ['float32, dynamic batch', {}],
    ['int64 ids and timestep, float16 tensors, fixed batch', { ids: 'int64', timestep: 'int64', half: true, fixedBatch: true }],
  ] as [string, ToyOptions][]) {
    it(`predicts the closed-form noise (${label})`, async () => {
      const ck = await load(label.replace(/\W+/g, '-'), o);
      expect(ck.unet.maxBatch).toBe(o.fixedBatch ? 1 : Infinity);
      const ctx = (await ck.clip.encode('red')).embeddings;
      const sample = { data: new Float32Array(2 * 4 * 2 * 2).fill(0.25), dims: [2, 4, 2, 2] };
      const eps = await ck.unet.predict(sample, 500, ctx);
      expect(eps.dims).toEqual([2, 4, 2, 2]);
      const tol = o.half ? 2e-3 : 1e-5;
      for (let b = 0; b < 2; b++) {
        for (let c = 0; c < 4; c++) expect(Math.abs(eps.data[(b * 4 + c) * 4] - expectedEps(0.25, 500, c))).toBeLessThan(tol);
      }
    });
  }

  it('rounds fractional timesteps for integer-timestep models and refuses a mismatched context width', async () => {
    const ck = await load('int-t', { timestep: 'int64' });
    const ctx = (await ck.clip.encode('red')).embeddings;
    const sample = { data: new Float32Array(4).fill(0.25), dims: [1, 4, 1, 1] };
    const eps = await ck.unet.predict(sample, 499.6, ctx);
    expect(eps.data[0]).toBeCloseTo(expectedEps(0.25, 500, 0), 5);
    const wide = { data: new Float32Array(77 * 8), dims: [1, 77, 8] };
    await expect(ck.unet.predict(sample, 10, wide)).rejects.toThrow(/width 8 but this model takes 4/);
  });
});

describe('VAE', () => {
  it('decodes with the scaling factor and encodes back to the same latent', async () => {
    const { vae } = await load('vae');
    // NCHW, two cells: cell 0 = (0.2, -0.1, 0.3, 0), cell 1 = (0.1, 0.1, -0.2, 0)
    const z = { data: Float32Array.from([0.2, 0.1, -0.1, 0.1, 0.3, -0.2, 0, 0]), dims: [1, 4, 1, 2] };
    const img = await vae.decode(z);
    expect(img.dims).toEqual([1, 3, 8, 16]);
    // R of cell 0: (0.2 / 0.5) / 2 + 0.5 = 0.7
    expect(img.data[0]).toBeCloseTo(0.7, 6);
    expect(img.data[8]).toBeCloseTo(0.6, 6);
    const back = await vae.encode(img);
    expect(back.dims).toEqual([1, 4, 1, 2]);
    for (let i = 0; i < 6; i++) expect(back.data[i]).toBeCloseTo(z.data[i], 5);
    await expect(vae.encode({ data: new Float32Array(3 * 12 * 16), dims: [1, 3, 12, 16] })).rejects.toThrow(/not a multiple of 8/);
  });

  it('explains that img2img needs an encoder', async () => {
    const { vae } = await load('no-enc', { noEncoder: true });
    await expect(vae.encode({ data: new Float32Array(3 * 64), dims: [1, 3, 8, 8] })).rejects.toThrow(/has no encoder/);
  });
});
