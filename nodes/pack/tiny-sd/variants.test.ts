// checkpoints/tiny-sd-fp16 and tiny-sd-int8: written deterministically as complete diffusers folders, loaded by
// the real checkpoint loader through onnxruntime-node, holding what their names say (float16 I/O and weights;
// MatMulInteger/ConvInteger), and within a stated distance of the float32 checkpoint's outputs.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModel } from '../../onnx/model-io';
import { elemTypeOfCode } from '../../onnx/proto';
import { detectPrecision } from '../../onnx/precision/detect';
import { outputDifference } from '../../onnx/precision/difference';
import { loadCheckpoint, type LoadedCheckpoint } from '../../models/checkpoint';
import { OnnxRuntime } from '../../runtime/onnx';
import type { Tensor } from '../../runtime/tensor';
import { TINY_SD_CHECKPOINT, writeTinySd } from './part';
import { TINY_SD_VARIANTS, writeTinySdVariants } from './variants';

let models: string;
let files: string[];
let runtime: OnnxRuntime;
const loaded: Record<string, LoadedCheckpoint> = {};

beforeAll(async () => {
  models = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-tiny-sd-precision-'));
  await writeTinySd(models);
  files = await writeTinySdVariants(models);
  runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 30, intraOpThreads: 1, onWarning: () => undefined });
  for (const [name, rel] of [['fp32', TINY_SD_CHECKPOINT], ['fp16', TINY_SD_VARIANTS.fp16], ['int8', TINY_SD_VARIANTS.int8]]) {
    loaded[name] = await loadCheckpoint(runtime, path.join(models, rel));
  }
}, 120_000);
afterAll(async () => {
  await runtime.dispose();
  fs.rmSync(models, { recursive: true, force: true });
});

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const component = (variant: string, c: string) => readModel(fs.readFileSync(path.join(models, variant, c, 'model.onnx')));
const opTypes = (variant: string, c: string) => new Set(component(variant, c).graph!.node!.map((n) => n.opType));

/** Text encoder, U-Net at a high and a low timestep, and VAE decoder outputs of one checkpoint. */
async function outputs(ck: LoadedCheckpoint) {
  const cond = await ck.clip.encode('a red circle on a blue background');
  const sample: Tensor = { data: Float32Array.from({ length: 2 * 4 * 64 }, (_, i) => Math.sin(i * 0.3)), dims: [2, 4, 8, 8] };
  const latent: Tensor = { data: Float32Array.from({ length: 4 * 64 }, (_, i) => Math.cos(i * 0.2) * 0.8), dims: [1, 4, 8, 8] };
  return {
    text: cond.embeddings.data,
    noiseHigh: (await ck.unet.predict(sample, 999, cond.embeddings)).data,
    noiseLow: (await ck.unet.predict(sample, 20, cond.embeddings)).data,
    image: (await ck.vae.decode(latent)).data,
  };
}

describe('tiny-sd precision variants', () => {
  it('are complete diffusers folders, byte-identical on every generation', async () => {
    const layout = (rel: string) => [
      'model_index.json', 'scheduler/scheduler_config.json', 'text_encoder/model.onnx', 'tokenizer/merges.txt',
      'tokenizer/special_tokens_map.json', 'tokenizer/vocab.json', 'unet/model.onnx', 'unet/weights.pb',
      'vae_decoder/model.onnx', 'vae_encoder/model.onnx',
    ].map((f) => `${rel}/${f}`);
    expect(files).toEqual([...layout(TINY_SD_VARIANTS.fp16), ...layout(TINY_SD_VARIANTS.int8)]);
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-tiny-sd-precision-b-'));
    try {
      await writeTinySdVariants(again);
      for (const rel of files) expect(sha(path.join(again, rel)), rel).toBe(sha(path.join(models, rel)));
    } finally {
      fs.rmSync(again, { recursive: true, force: true });
    }
  });

  it('fp16: float16 inputs, outputs and weights, the timestep embedding left in float32', () => {
    const unet = loaded.fp16.unet.denoiser.session;
    expect(unet.inputs.map((i) => `${i.name}:${i.type}`)).toEqual(['sample:float16', 'timestep:int64', 'encoder_hidden_states:float16']);
    expect(unet.outputs.map((o) => `${o.name}:${o.type}`)).toEqual(['out_sample:float16']);
    expect(loaded.fp16.clip.session.outputs[0].type).toBe('float16');
    const m = component(TINY_SD_VARIANTS.fp16, 'unet');
    const types = m.graph!.initializer!.map((t) => [t.name, elemTypeOfCode(t.dataType!)]);
    expect(types.filter(([name, t]) => t === 'float32' && !String(name).startsWith('time_proj.') && !String(name).endsWith('.scales'))).toEqual([]);
    expect(types.find(([name]) => name === 'time_proj.freqs')?.[1]).toBe('float32');
    for (const c of ['unet', 'text_encoder', 'vae_decoder']) expect(detectPrecision(path.join(models, TINY_SD_VARIANTS.fp16, c, 'model.onnx')), c).toBe('fp16');
  });

  it('int8: U-Net and text encoder hold MatMulInteger/ConvInteger with int8 weights; the VAE stays float32', () => {
    const unetOps = opTypes(TINY_SD_VARIANTS.int8, 'unet');
    for (const op of ['DynamicQuantizeLinear', 'MatMulInteger', 'ConvInteger']) expect(unetOps.has(op), op).toBe(true);
    expect(unetOps.has('Conv') || unetOps.has('Gemm')).toBe(false);
    // What stays MatMul is attention: activations times activations, which have no weight to quantise.
    expect(component(TINY_SD_VARIANTS.int8, 'unet').graph!.node!.filter((n) => n.opType === 'MatMul').every((n) => /\/attn[12]\/MatMul(_1)?$/.test(n.name!))).toBe(true);
    expect(opTypes(TINY_SD_VARIANTS.int8, 'text_encoder').has('MatMulInteger')).toBe(true);
    expect(component(TINY_SD_VARIANTS.int8, 'unet').graph!.initializer!.filter((t) => elemTypeOfCode(t.dataType!) === 'int8').length).toBe(55 * 2);
    expect(sha(path.join(models, TINY_SD_VARIANTS.int8, 'vae_decoder/model.onnx'))).toBe(sha(path.join(models, TINY_SD_CHECKPOINT, 'vae_decoder/model.onnx')));
    expect(detectPrecision(path.join(models, TINY_SD_VARIANTS.int8, 'unet', 'model.onnx'))).toBe('int8');
  });

  // Thresholds: about 2.5x the measured maximum and 6 dB under the measured PSNR (fp16 measured on x86-64 with
  // AVX-512 VNNI, int8 on an AVX2-only AMD EPYC with 7-bit weights; other kernels round differently). A conversion bug (a transposed weight, a lost scale)
  // lands at the size of the signal itself, i.e. a PSNR near 0 dB. Unbounded outputs use the reference's
  // peak magnitude for PSNR, images a peak of 1.
  it('fp16 stays within float16 rounding of float32', async () => {
    const [ref, half] = [await outputs(loaded.fp32), await outputs(loaded.fp16)];
    const text = outputDifference(ref.text, half.text); // measured 0.0018, 77.6 dB
    expect(text.maxAbs).toBeGreaterThan(0);
    expect(text.maxAbs).toBeLessThan(0.005);
    expect(text.psnr).toBeGreaterThan(70);
    for (const k of ['noiseHigh', 'noiseLow'] as const) {
      const d = outputDifference(ref[k], half[k]); // measured 0.0072 / 0.0053, 71.3 / 70.8 dB
      expect(d.maxAbs, k).toBeLessThan(0.02);
      expect(d.psnr, k).toBeGreaterThan(64);
    }
    const image = outputDifference(ref.image, half.image, { peak: 1, tolerance: 1 / 255 }); // measured 0.0009, 74.6 dB
    expect(image.overTolerance).toBe(0);
    expect(image.psnr).toBeGreaterThan(68);
  });

  it('int8 stays within 8-bit quantisation error of float32', async () => {
    const [ref, q] = [await outputs(loaded.fp32), await outputs(loaded.int8)];
    const text = outputDifference(ref.text, q.text); // measured 0.040, 49.2 dB
    expect(text.maxAbs).toBeLessThan(0.09);
    expect(text.psnr).toBeGreaterThan(45);
    for (const k of ['noiseHigh', 'noiseLow'] as const) {
      const d = outputDifference(ref[k], q[k]); // measured 0.21 / 0.22, 40.1 / 38.2 dB
      expect(d.maxAbs, k).toBeLessThan(0.5);
      expect(d.psnr, k).toBeGreaterThan(36);
    }
    expect(q.image).toEqual(ref.image); // the same float32 VAE
  });
});
