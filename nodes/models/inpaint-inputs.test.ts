// A 2C+1-channel inpainting U-Net (a real ONNX session, built here: a 1x1 conv whose output shows what each input
// channel carried) is recognised as such and fed [noisy latent, mask, masked-image latent].
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../onnx/builder';
import { OnnxRuntime } from '../runtime/onnx';
import type { ConditioningValue, LatentValue } from '../values';
import { SD15_SCHEDULER_CONFIG } from './defaults';
import { SD15_LATENT_RGB } from './latent-rgb';
import { loadUNet, type OnnxUNet } from './unet';
import { withInpaintInputs } from './inpaint-inputs';
import { sampleLatent } from './sampling-run';

let tmp: string;
let runtime: OnnxRuntime;
let unet: OnnxUNet;

/** out[k] = in[5 + k] + 10 * in[4] + 100 * in[k]: the masked-image latent, the mask and the noisy latent told apart. */
function writeNineChannelUnet(file: string): void {
  const g = new GraphBuilder('inpaint_probe');
  const sample = g.input('sample', 'float32', ['batch', 9, 'height', 'width']);
  g.input('timestep', 'int64', ['batch']);
  g.input('encoder_hidden_states', 'float32', ['batch', 'sequence', 8]);
  const w = new Float32Array(4 * 9);
  for (let k = 0; k < 4; k++) {
    w[k * 9 + k] = 100;
    w[k * 9 + 4] = 10;
    w[k * 9 + 5 + k] = 1;
  }
  const out = g.op('Conv', [sample, g.initializer('conv.weight', w, [4, 9, 1, 1])], { name: '/conv' });
  g.output(out, 'out_sample', 'float32', ['batch', 4, 'height', 'width']);
  g.save(file);
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-inpaint-unet-'));
  const file = path.join(tmp, 'unet.onnx');
  writeNineChannelUnet(file);
  runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 28, intraOpThreads: 1, onWarning: () => undefined });
  unet = await loadUNet(runtime, { name: 'probe', file, schedulerConfig: { ...SD15_SCHEDULER_CONFIG }, latentRgb: SD15_LATENT_RGB });
});
afterAll(async () => {
  await runtime.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** [1, 4, 2, 2] latent with a mask at image size (16x16) covering the left column of latent cells. */
function maskedLatent(): LatentValue {
  const mask = new Float32Array(16 * 16);
  for (let y = 0; y < 16; y++) mask.fill(1, y * 16, y * 16 + 8);
  return { samples: { data: Float32Array.from({ length: 16 }, (_, i) => i / 16), dims: [1, 4, 2, 2] }, noiseMask: { data: mask, dims: [1, 1, 16, 16] } };
}

describe('inpainting U-Net (9 input channels)', () => {
  it('is read as 4 latent channels with inpaint inputs', () => {
    expect(unet.latentChannels).toBe(4);
    expect(unet.inpaintInputs).toBe(true);
  });

  it('receives the noisy latent, the latent-size mask, then the masked-image latent, for every CFG half', async () => {
    const latent = maskedLatent();
    const denoiser = withInpaintInputs(unet, latent);
    const x = { data: new Float32Array(2 * 16).fill(0.01), dims: [2, 4, 2, 2] }; // uncond + cond stacked
    const out = await denoiser.predict(x, 500, { data: new Float32Array(2 * 3 * 8), dims: [2, 3, 8] });
    expect(out.dims).toEqual([2, 4, 2, 2]);
    const maskAt = [1, 0, 1, 0];
    for (let n = 0; n < 2; n++) {
      for (let i = 0; i < 16; i++) expect(out.data[n * 16 + i]).toBeCloseTo(latent.samples.data[i] + 10 * maskAt[i % 4] + 1, 4);
    }
  });

  it('samples a masked latent end to end: the output has 4 channels and the unmasked cells end on the source', async () => {
    const cond: ConditioningValue = { embeddings: { data: new Float32Array(3 * 8), dims: [1, 3, 8] }, prompt: '', tokens: [] };
    const latent = maskedLatent();
    const r = await sampleLatent({
      model: unet, sampler: 'euler', schedule: 'normal', steps: 4, cfg: 1, seed: 1, noiseMode: 'stepflow',
      positive: cond, negative: cond, latent, start: { kind: 'denoise', denoise: 1, startStep: 0 }, endStep: 10000, returnLeftoverNoise: false,
    });
    expect(r.latent.samples.dims).toEqual([1, 4, 2, 2]);
    for (let i = 0; i < 16; i++) if (i % 2 === 1) expect(r.latent.samples.data[i]).toBe(latent.samples.data[i]);
  });
});
