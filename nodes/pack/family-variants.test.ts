// checkpoints/tiny-{sdxl,sd3,flux}-{fp16,int8}: written deterministically from the float32 folders, loaded by the
// Checkpoint Loader's own functions through onnxruntime-node, listed with their precision by the picker, holding
// what their names say, and making an image within a stated distance of the float32 checkpoint's.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../models/checkpoint';
import { sampleLatent } from '../models/sampling-run';
import { isSdxlFolder, loadSdxlCheckpoint } from '../models/sdxl-checkpoint';
import { readModel } from '../onnx/model-io';
import { outputDifference } from '../onnx/precision/difference';
import { elemTypeOfCode } from '../onnx/proto';
import { precisionByName } from '../runtime/model-precision';
import { ModelStore } from '../runtime/models';
import { OnnxRuntime } from '../runtime/onnx';
import type { Tensor } from '../runtime/tensor';
import { FAMILY_PRECISIONS, type FamilyPrecision, variantFolder, writeFamilyVariants } from './family-variants';
import { TINY_FLUX_CHECKPOINT, writeTinyFlux } from './tiny-flux/part';
import { TINY_SD3_CHECKPOINT, writeTinySd3 } from './tiny-sd3/part';
import { TINY_SDXL_CHECKPOINT, writeTinySdxl } from './tiny-sdxl/part';

const FAMILIES = { sdxl: TINY_SDXL_CHECKPOINT, sd3: TINY_SD3_CHECKPOINT, flux: TINY_FLUX_CHECKPOINT } as const;
type Family = keyof typeof FAMILIES;

let models: string;
let runtime: OnnxRuntime;
const written: Record<string, string[]> = {};

beforeAll(async () => {
  models = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-family-precision-'));
  await writeTinySdxl(models);
  await writeTinySd3(models);
  await writeTinyFlux(models);
  for (const [family, rel] of Object.entries(FAMILIES)) written[family] = writeFamilyVariants(models, rel);
  runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 30, intraOpThreads: 1, onWarning: () => undefined });
}, 120_000);
afterAll(async () => {
  await runtime?.dispose();
  if (models) fs.rmSync(models, { recursive: true, force: true });
});

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const model = (rel: string, component: string) => readModel(fs.readFileSync(path.join(models, rel, component, 'model.onnx')));
const denoiserOf = (family: Family) => (family === 'sdxl' ? 'unet' : 'transformer');

/** What the Checkpoint Loader does with a folder: the SDXL loader for SDXL folders, the general one otherwise. */
async function load(rel: string) {
  const dir = path.join(models, rel);
  if (isSdxlFolder(dir)) {
    const ck = await loadSdxlCheckpoint(runtime, dir, rel);
    return { unet: ck.unet, vae: ck.vae, encode: (p: string) => ck.clip.encode(p) };
  }
  const ck = await loadCheckpoint(runtime, dir, rel);
  return { unet: ck.unet, vae: ck.vae, encode: (p: string) => ck.flowPrompt!.encode(p) };
}

/**
 * A 4-step euler run at 64x64 (8x8 latent) with CFG 3 from a zero latent at `denoise` (1: txt2img): the image in
 * [0, 1] and the final latent.
 */
async function image(rel: string, denoise: number): Promise<{ image: Float32Array; latent: Float32Array }> {
  const ck = await load(rel);
  const positive = await ck.encode('a lighthouse on a cliff at dusk');
  const negative = await ck.encode('blurry');
  const channels = ck.unet.latentChannels ?? 4;
  const latent: Tensor = { data: new Float32Array(channels * 64), dims: [1, channels, 8, 8] };
  const run = await sampleLatent({
    model: ck.unet, sampler: 'euler', schedule: 'normal', steps: 4, cfg: 3, seed: 7, noiseMode: 'stepflow', positive, negative,
    latent: { samples: latent }, start: { kind: 'denoise', denoise, startStep: 0 }, endStep: 4, returnLeftoverNoise: false,
  });
  return { image: (await ck.vae.decode(run.latent.samples)).data, latent: run.latent.samples.data };
}

describe('tiny SDXL / SD3 / Flux precision variants', () => {
  it('are the float32 folders file for file, byte-identical on every generation', () => {
    for (const [family, rel] of Object.entries(FAMILIES)) {
      const source = written[family].filter((f) => f.startsWith(`${variantFolder(rel, 'fp16')}/`)).map((f) => f.slice(variantFolder(rel, 'fp16').length + 1));
      expect(source.length, family).toBeGreaterThan(10);
      expect(written[family].length, family).toBe(2 * source.length);
      for (const f of source) expect(fs.existsSync(path.join(models, rel, f)), `${rel}/${f}`).toBe(true);
      // Configs and tokenizers are copied as they are.
      expect(sha(path.join(models, variantFolder(rel, 'int8'), 'model_index.json'))).toBe(sha(path.join(models, rel, 'model_index.json')));
    }
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-family-precision-b-'));
    try {
      fs.cpSync(path.join(models, 'checkpoints'), path.join(again, 'checkpoints'), { recursive: true, filter: (f) => !/-(fp16|int8)$/.test(f) });
      const files = writeFamilyVariants(again, TINY_FLUX_CHECKPOINT);
      expect(files).toEqual(written.flux);
      for (const rel of files) expect(sha(path.join(again, rel)), rel).toBe(sha(path.join(models, rel)));
    } finally {
      fs.rmSync(again, { recursive: true, force: true });
    }
  });

  it('show their precision in the model picker', () => {
    const names = Object.values(FAMILIES).flatMap((rel) => [rel, ...FAMILY_PRECISIONS.map((p) => variantFolder(rel, p))]).map((rel) => rel.replace('checkpoints/', ''));
    const precision = precisionByName(new ModelStore(models), 'checkpoints', names);
    expect(names.map((n) => `${n}:${precision[n]}`)).toEqual([
      'tiny-sdxl:fp32', 'tiny-sdxl-fp16:fp16', 'tiny-sdxl-int8:int8',
      'tiny-sd3:fp32', 'tiny-sd3-fp16:fp16', 'tiny-sd3-int8:int8',
      'tiny-flux:fp32', 'tiny-flux-fp16:fp16', 'tiny-flux-int8:int8',
    ]);
  });

  it('fp16: every component float16 but the sinusoidal embeddings; int8: denoiser and text encoders MatMulInteger, the VAE untouched', () => {
    for (const [family, rel] of Object.entries(FAMILIES) as [Family, string][]) {
      const half = variantFolder(rel, 'fp16');
      const denoiser = model(half, denoiserOf(family));
      expect(denoiser.graph!.input!.find((i) => i.name === 'hidden_states' || i.name === 'sample')!.type!.tensorType!.elemType, family).toBe(10);
      // What stays float32 feeds only the sinusoids (their frequencies) or a Resize (its scales, float32 by the spec).
      const float32 = new Set(denoiser.graph!.initializer!.filter((t) => elemTypeOfCode(t.dataType!) === 'float32').map((t) => t.name!));
      const consumers = denoiser.graph!.node!.filter((n) => n.input!.some((i) => float32.has(i)));
      expect(float32.size, family).toBeGreaterThan(0);
      expect(consumers.filter((n) => n.opType !== 'Resize' && !/^\/(add_)?time_proj\/|^\/time_text_embed\/(time|guidance)(_proj)?\//.test(n.name!)).map((n) => n.name), family).toEqual([]);
      const cos = denoiser.graph!.node!.filter((n) => n.opType === 'Cos' && /time_proj|guidance_proj/.test(n.name!));
      expect(cos.length, family).toBe(family === 'sdxl' ? 2 : family === 'flux' ? 2 : 1);
      for (const c of ['text_encoder', 'vae_decoder']) {
        expect(model(half, c).graph!.output![0].type!.tensorType!.elemType, `${family} ${c}`).toBe(10);
      }
      const int8 = variantFolder(rel, 'int8');
      for (const c of [denoiserOf(family), 'text_encoder']) {
        const ops = new Set(model(int8, c).graph!.node!.map((n) => n.opType));
        expect(ops.has('MatMulInteger'), `${family} ${c}`).toBe(true);
        expect(ops.has('DynamicQuantizeLinear'), `${family} ${c}`).toBe(true);
      }
      expect(sha(path.join(models, int8, 'vae_decoder/model.onnx'))).toBe(sha(path.join(models, rel, 'vae_decoder/model.onnx')));
    }
  });

  // Bounds: about 2.5x the measured maximum and 6 dB under the measured PSNR (measured on x86-64 with this test's
  // runs; images with a peak of 1, latents with the float32 latent's peak). A wrong conversion (a lost scale, a
  // transposed weight) moves the output by the size of the signal, a PSNR near 0 dB. SDXL runs img2img at denoise
  // 0.3: from pure noise the random SDXL U-Net drives its latent to +-397, so 98% of the image's pixels clip at 0 or 1
  // and a small relative error flips whole pixels (int8 there: 1.0, 14.3 dB on the image, 32 dB on the latent).
  const DENOISE: Record<Family, number> = { sdxl: 0.3, sd3: 1, flux: 1 };
  const BOUNDS: Record<Family, Record<FamilyPrecision, { image: [number, number]; latent: [number, number] }>> = {
    sdxl: {
      fp16: { image: [0.002, 68.1], latent: [0.001, 63] }, // measured image 0.00074, 74.1 dB; latent 0.00039, 69.0 dB
      int8: { image: [0.092, 34.7], latent: [0.063, 29.3] }, // measured image 0.037, 40.7 dB; latent 0.025, 35.3 dB
    },
    sd3: {
      fp16: { image: [0.025, 48.0], latent: [0.15, 46.0] }, // measured image 0.0097, 54.0 dB; latent 0.058, 52.1 dB
      int8: { image: [0.12, 32.3], latent: [0.75, 33.1] }, // measured image 0.047, 38.3 dB; latent 0.30, 39.1 dB
    },
    flux: {
      fp16: { image: [0.044, 50.2], latent: [0.048, 55.2] }, // measured image 0.0173, 56.2 dB; latent 0.0192, 61.2 dB
      int8: { image: [0.37, 28.7], latent: [0.44, 35.2] }, // measured image 0.147, 34.7 dB; latent 0.176, 41.2 dB
    },
  };
  for (const family of Object.keys(FAMILIES) as Family[]) {
    it(`${family}: fp16 and int8 images stay close to float32's`, async () => {
      const rel = FAMILIES[family];
      const ref = await image(rel, DENOISE[family]);
      for (const precision of FAMILY_PRECISIONS) {
        const other = await image(variantFolder(rel, precision), DENOISE[family]);
        const bound = BOUNDS[family][precision];
        const latent = outputDifference(ref.latent, other.latent);
        expect(latent.maxAbs, `${family} ${precision} latent`).toBeGreaterThan(0);
        expect(latent.maxAbs, `${family} ${precision} latent`).toBeLessThan(bound.latent[0]);
        expect(latent.psnr, `${family} ${precision} latent`).toBeGreaterThan(bound.latent[1]);
        const d = outputDifference(ref.image, other.image, { peak: 1 });
        expect(d.maxAbs, `${family} ${precision} image`).toBeLessThan(bound.image[0]);
        expect(d.psnr, `${family} ${precision} image`).toBeGreaterThan(bound.image[1]);
      }
    }, 60_000);
  }
});
