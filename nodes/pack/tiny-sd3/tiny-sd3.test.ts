// The tiny SD3 and Flux checkpoints through the real loaders: layout and configs, the prompt each pipeline builds
// (checked against the text encoders' own outputs), pooled projections and Flux guidance reaching the transformer,
// and folders of the wrong family refused with the file or input that is missing.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelSamplingSd3 } from '../../defs/sampling/model-sampling-sd3';
import { loadCheckpoint, type LoadedCheckpoint } from '../../models/checkpoint';
import { openTinyFlow, type TinyFlow } from './testing';
import { sampleLatent } from '../../models/sampling-run';
import { ModelFormatError } from '../../models/errors';
import { T5_TOKENS } from '../../models/flow-prompt';
import { OnnxRuntime, outputFloat32 } from '../../runtime/onnx';
import type { Tensor } from '../../runtime/tensor';
import { tokenizerForFolder } from '../../text';
import { TINY_FLUX_CHECKPOINT, TINY_FLUX_DIMS } from '../tiny-flux/part';
import { TINY_SD3_CHECKPOINT, TINY_SD3_DIMS } from './part';

let models: string;
let runtime: OnnxRuntime;
let sd3: LoadedCheckpoint;
let flux: LoadedCheckpoint;
let copy: TinyFlow['copy'];
let close: TinyFlow['close'];
beforeAll(async () => {
  ({ models, runtime, sd3, flux, copy, close } = await openTinyFlow('stepflow-tiny-sd3-'));
}, 120_000);
afterAll(() => close?.());

/** A text encoder's raw outputs for a prompt, tokenized as the loader does (one 77-token window). */
async function encoderOutputs(dir: string, component: string, tokenizer: string, prompt: string) {
  const session = await runtime.session(`raw:${dir}/${component}`, { path: path.join(dir, component, 'model.onnx') });
  const ids = tokenizerForFolder(path.join(dir, tokenizer)).encodeWeighted(prompt).chunks[0].ids;
  const out = await session.run({ input_ids: { data: Int32Array.from(ids), dims: [1, ids.length] } });
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, outputFloat32(v)]));
}

const rows = (t: Tensor, from: number, to: number, width: number) =>
  Array.from({ length: t.dims[1] }, (_, r) => Array.from(t.data.subarray(r * width + from, r * width + to)));
const noise = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + k));
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('tiny SD3 checkpoint', () => {
  it('loads as an SD3 transformer with a 16-channel VAE and SD3 factors and scheduler', () => {
    const session = sd3.unet.denoiser.session;
    expect(session.inputs.map((i) => `${i.name}:[${i.dims.join(',')}]`)).toEqual([
      'hidden_states:[batch,16,height,width]', 'encoder_hidden_states:[batch,sequence,48]', 'pooled_projections:[batch,40]', 'timestep:[batch]',
    ]);
    expect(sd3.folder).toMatchObject({ family: 'flow', pipeline: 'sd3', latentChannels: 16, scalingFactor: 1.5305, shiftFactor: 0.0609 });
    expect(sd3.unet.latentChannels).toBe(16);
    expect(sd3.vae).toMatchObject({ latentChannels: 16, scalingFactor: 1.5305, shiftFactor: 0.0609 });
    expect(sd3.unet.schedulerConfig).toMatchObject({ _class_name: 'FlowMatchEulerDiscreteScheduler', shift: 3 });
  });

  it('encodes a prompt as StableDiffusion3Pipeline: [CLIP-L | CLIP-G | 0] penultimate states, then T5\'s states; pooled = both text_embeds', async () => {
    const dir = path.join(models, TINY_SD3_CHECKPOINT);
    const { clipL, clipG, t5 } = TINY_SD3_DIMS;
    const c = await sd3.flowPrompt!.encode('a red fox in the snow');
    expect(c.embeddings.dims).toEqual([1, 77 + T5_TOKENS.sd3, t5]);
    expect(c.pooled!.dims).toEqual([1, clipL + clipG]);
    const l = await encoderOutputs(dir, 'text_encoder', 'tokenizer', 'a red fox in the snow');
    const g = await encoderOutputs(dir, 'text_encoder_2', 'tokenizer', 'a red fox in the snow');
    // Two layers: hidden_states.1 is the penultimate layer, taken without final_layer_norm.
    const clipRows = { dims: [1, 77], data: c.embeddings.data.subarray(0, 77 * t5) } as Tensor;
    expect(rows(clipRows, 0, clipL, t5)).toEqual(rows({ data: l['hidden_states.1'], dims: [1, 77] }, 0, clipL, clipL));
    expect(rows(clipRows, clipL, clipL + clipG, t5)).toEqual(rows({ data: g['hidden_states.1'], dims: [1, 77] }, 0, clipG, clipG));
    expect(l['hidden_states.1']).not.toEqual(l.last_hidden_state.subarray(0, 77 * clipL));
    expect(rows(clipRows, clipL + clipG, t5, t5).flat().every((v) => v === 0)).toBe(true);
    // The T5 rows are text_encoder_3's own output (t5.test.ts checks its tokens and session in detail).
    const t5Rows = c.embeddings.data.subarray(77 * t5);
    expect(t5Rows.some((v) => v !== 0)).toBe(true);
    expect(Array.from(t5Rows)).toEqual(Array.from((await sd3.flowPrompt!.parts.t5!.encode('a red fox in the snow')).data));
    expect(Array.from(c.pooled!.data)).toEqual([...l.text_embeds, ...g.text_embeds]);
  });

  it('feeds the prompt\'s pooled projection to the transformer: another pooled changes the output, none means zeros', async () => {
    const sample: Tensor = { data: noise(2 * 16 * 8 * 8, 1), dims: [2, 16, 8, 8] };
    const c = await sd3.flowPrompt!.encode('a red fox');
    const other = await sd3.flowPrompt!.encode('a blue whale');
    const unet = sd3.unet;
    const withPooled = await unet.predict(sample, 500, c.embeddings, undefined, { pooled: c.pooled });
    const otherPooled = await unet.predict(sample, 500, c.embeddings, undefined, { pooled: other.pooled });
    const none = await unet.predict(sample, 500, c.embeddings);
    const zeros = await unet.predict(sample, 500, c.embeddings, undefined, { pooled: { data: new Float32Array(40), dims: [1, 40] } });
    expect(maxDiff(withPooled.data, otherPooled.data)).toBeGreaterThan(1e-3);
    expect(maxDiff(withPooled.data, none.data)).toBeGreaterThan(1e-3);
    expect(none.data).toEqual(zeros.data);
    // A [1, P] pooled is tiled over the batch: item 1 equals a batch-1 call on item 1.
    const item1 = await unet.predict({ data: sample.data.slice(16 * 64), dims: [1, 16, 8, 8] }, 500, c.embeddings, undefined, { pooled: c.pooled });
    expect(maxDiff(withPooled.data.subarray(16 * 64), item1.data)).toBeLessThan(1e-5);
  });

  it('refuses a pooled projection of the wrong width, naming the input', async () => {
    const c = await sd3.flowPrompt!.encode('x');
    await expect(sd3.unet.predict({ data: noise(16 * 64, 2), dims: [1, 16, 8, 8] }, 500, c.embeddings, undefined, { pooled: { data: new Float32Array(16), dims: [1, 16] } }))
      .rejects.toThrow(/width 16 but pooled_projections takes 40/);
  });
});

describe('Model Sampling SD3', () => {
  it('sets a static shift on the model\'s scheduler (the run changes), with its own batch key; refuses a U-Net', async () => {
    const shifted = (await modelSamplingSd3.execute({} as never, { model: flux.unet }, { shift: 6 })).model;
    expect(shifted.schedulerConfig).toMatchObject({ shift: 6, use_dynamic_shifting: false, base_shift: 0.5 });
    expect(flux.unet.schedulerConfig).toMatchObject({ use_dynamic_shifting: true });
    expect((shifted as { batchKey?: string }).batchKey).toBe(`${flux.unet.batchKey}#shift=6`);
    const c = await flux.flowPrompt!.encode('a red fox');
    const run = async (model: typeof shifted) => (await sampleLatent({
      model, sampler: 'euler', schedule: 'normal', steps: 3, cfg: 1, seed: 1, noiseMode: 'stepflow', positive: c, negative: c,
      latent: { samples: { data: new Float32Array(16 * 64), dims: [1, 16, 8, 8] } }, start: { kind: 'denoise', denoise: 1, startStep: 0 },
      endStep: 3, returnLeftoverNoise: false,
    }));
    const [a, b] = [await run(flux.unet), await run(shifted)];
    // shift 6, 3 steps: timesteps linspace(1000, 1000·sigma_min, 3), sigma_min = shift6(0.001); sigma = shift6(t / 1000)
    const shift6 = (v: number) => (6 * v) / (1 + 5 * v);
    expect(b.scheduler.sigmas![1]).toBeCloseTo(shift6((1 + shift6(0.001)) / 2), 5);
    expect(maxDiff(a.latent.samples.data, b.latent.samples.data)).toBeGreaterThan(1e-3);
    const unet = { ...flux.unet, name: 'sd15', schedulerConfig: { _class_name: 'PNDMScheduler' } };
    await expect(modelSamplingSd3.execute({} as never, { model: unet as never }, { shift: 3 })).rejects.toThrow(/not a flow-matching model/);
  });
});

describe('tiny Flux checkpoint', () => {
  it('loads as a Flux transformer (packed latents, ids, guidance) with a 16-channel VAE and FLUX.1 factors and dynamic shifting', () => {
    expect(flux.unet.denoiser.session.inputs.map((i) => i.name)).toEqual(['hidden_states', 'encoder_hidden_states', 'pooled_projections', 'timestep', 'img_ids', 'txt_ids', 'guidance']);
    expect(flux.folder).toMatchObject({ pipeline: 'flux', latentChannels: 16, scalingFactor: 0.3611, shiftFactor: 0.1159 });
    expect(flux.unet.latentChannels).toBe(16);
    expect(flux.vae).toMatchObject({ latentChannels: 16, scalingFactor: 0.3611, shiftFactor: 0.1159 });
    expect(flux.unet.schedulerConfig).toMatchObject({ use_dynamic_shifting: true, base_shift: 0.5, max_shift: 1.15, base_image_seq_len: 256, max_image_seq_len: 4096 });
  });

  it('encodes a prompt as FluxPipeline: T5 states, pooled = CLIP-L pooler_output', async () => {
    const c = await flux.flowPrompt!.encode('a red fox in the snow');
    expect(c.embeddings.dims).toEqual([1, T5_TOKENS.flux, TINY_FLUX_DIMS.t5]);
    expect(Array.from(c.embeddings.data)).toEqual(Array.from((await flux.flowPrompt!.parts.t5!.encode('a red fox in the snow')).data));
    const l = await encoderOutputs(path.join(models, TINY_FLUX_CHECKPOINT), 'text_encoder', 'tokenizer', 'a red fox in the snow');
    expect(c.pooled!.dims).toEqual([1, TINY_FLUX_DIMS.clipL]);
    expect(Array.from(c.pooled!.data)).toEqual(Array.from(l.pooler_output));
  });

  it('takes the guidance (default 3.5) and the pooled projection: each changes the prediction', async () => {
    const sample: Tensor = { data: noise(16 * 8 * 12, 3), dims: [1, 16, 8, 12] };
    const c = await flux.flowPrompt!.encode('a red fox');
    const other = await flux.flowPrompt!.encode('a blue whale');
    const at = (added: object) => flux.unet.predict(sample, 700, c.embeddings, undefined, { pooled: c.pooled, ...added });
    const byDefault = await at({});
    expect(byDefault.dims).toEqual([1, 16, 8, 12]);
    expect((await at({ guidance: 3.5 })).data).toEqual(byDefault.data);
    expect(maxDiff((await at({ guidance: 7 })).data, byDefault.data)).toBeGreaterThan(1e-3);
    expect(maxDiff((await at({ pooled: other.pooled })).data, byDefault.data)).toBeGreaterThan(1e-3);
  });

  it('refuses odd latent sides: Flux packs 2x2 patches', async () => {
    const c = await flux.flowPrompt!.encode('x');
    const odd: Tensor = { data: noise(16 * 7 * 8, 4), dims: [1, 16, 7, 8] };
    // The pack's stepflow.json says so first (latent_multiple 2); an export without one reaches the denoiser's check.
    expect(() => flux.unet.predict(odd, 500, c.embeddings, undefined, { pooled: c.pooled })).toThrow(/multiples of 16 px \(latent 2\), got 64x56/);
    await expect(flux.unet.denoiser.predict(odd, 500, c.embeddings, undefined, { pooled: c.pooled })).rejects.toThrow(/even sides, got 8x7/);
  });
});

describe('folders of the wrong family', () => {

  it('an SD3 folder whose text_encoder_2/ lacks its model names text_encoder_2/model.onnx', async () => {
    const dir = copy(TINY_SD3_CHECKPOINT, 'no-clip-g');
    fs.rmSync(path.join(dir, 'text_encoder_2', 'model.onnx'));
    await expect(loadCheckpoint(runtime, dir)).rejects.toThrow(/lacks text_encoder_2\/model\.onnx/);
  });

  it('an SD3 transformer in a FluxPipeline folder names the Flux inputs it lacks', async () => {
    const dir = copy(TINY_FLUX_CHECKPOINT, 'flux-with-sd3-transformer');
    fs.rmSync(path.join(dir, 'transformer'), { recursive: true });
    fs.cpSync(path.join(models, TINY_SD3_CHECKPOINT, 'transformer'), path.join(dir, 'transformer'), { recursive: true });
    const err = await loadCheckpoint(runtime, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect(String(err)).toMatch(/transformer\/model\.onnx.*has no img_ids, txt_ids input, which a FluxPipeline transformer takes/);
  });

  it('a Flux transformer in an SD3 folder names its Flux inputs', async () => {
    const dir = copy(TINY_SD3_CHECKPOINT, 'sd3-with-flux-transformer');
    fs.rmSync(path.join(dir, 'transformer'), { recursive: true });
    fs.cpSync(path.join(models, TINY_FLUX_CHECKPOINT, 'transformer'), path.join(dir, 'transformer'), { recursive: true });
    await expect(loadCheckpoint(runtime, dir)).rejects.toThrow(/has Flux inputs img_ids, txt_ids, guidance, but model_index\.json names StableDiffusion3Pipeline/);
  });

  it('a Flux folder without joint_attention_dim names transformer/config.json', async () => {
    const dir = copy(TINY_FLUX_CHECKPOINT, 'flux-no-config');
    fs.rmSync(path.join(dir, 'transformer', 'config.json'));
    await expect(loadCheckpoint(runtime, dir)).rejects.toThrow(/transformer\/config\.json.*joint_attention_dim/);
  });
});
