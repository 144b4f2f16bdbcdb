// The T5 encoders of the tiny SD3 and Flux checkpoints through the real loader: the pack's tokenizer.json read as
// worked out by hand, each export's own id type (SD3 int64, Flux int32 + attention_mask), the T5 states reaching the
// transformer's encoder_hidden_states, max_sequence_length, and folders missing CLIP-G or T5's tokenizer refused at load.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PromptCache } from '../../engine/prompt-cache';
import { loadCheckpoint, type LoadedCheckpoint } from '../../models/checkpoint';
import { openTinyFlow, type TinyFlow } from './testing';
import { ModelFormatError } from '../../models/errors';
import { T5_TOKENS } from '../../models/flow-prompt';
import { sampleLatent } from '../../models/sampling-run';
import type { FeedValue } from '../../onnx/feeds';
import { OnnxRuntime, outputFloat32 } from '../../runtime/onnx';
import type { Tensor } from '../../runtime/tensor';
import { TINY_FLUX_CHECKPOINT, TINY_FLUX_DIMS } from '../tiny-flux/part';
import { TINY_SD3_CHECKPOINT, TINY_SD3_DIMS } from './part';

let models: string;
let runtime: OnnxRuntime;
let sd3: LoadedCheckpoint;
let flux: LoadedCheckpoint;
let copy: TinyFlow['copy'];
let close: TinyFlow['close'];
beforeAll(async () => {
  ({ models, runtime, sd3, flux, copy, close } = await openTinyFlow('stepflow-tiny-t5-'));
}, 120_000);
afterAll(() => close?.());

/** The pack's vocabulary: <pad> 0, </s> 1, <unk> 2, "▁" 3, then ▁a 4, ▁an 5, ▁the 6, ▁of 7, ▁in 8, … ▁red 12, ▁fox 15, ▁snow 19. */
const A_RED_FOX_IN_THE_SNOW = [4, 12, 15, 8, 6, 19, 1];

/** A raw run of an encoder file with ids in the array type its export declares. */
async function rawT5(file: string, feeds: Record<string, FeedValue>): Promise<Float32Array> {
  const session = await runtime.session(`raw:${file}`, { path: file });
  return outputFloat32((await session.run(feeds)).last_hidden_state);
}

const t5Of = (c: { embeddings: Tensor }, clipTokens: number, width: number) => Array.from(c.embeddings.data.subarray(clipTokens * width));
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const noise = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.29 + k));


describe('T5 tokens', () => {
  it('reads the pack\'s tokenizer.json: whole-word pieces, </s>, <pad> to max_sequence_length', () => {
    const ids = sd3.flowPrompt!.parts.t5!.tokens('a red fox in the snow');
    expect(ids).toHaveLength(T5_TOKENS.sd3);
    expect(ids.slice(0, 7)).toEqual(A_RED_FOX_IN_THE_SNOW);
    expect(ids.slice(7).every((id) => id === 0)).toBe(true);
    expect(flux.flowPrompt!.parts.t5!.tokens('a red fox in the snow')).toHaveLength(T5_TOKENS.flux);
    // T5 is case-sensitive: "▁A" has no piece, so "▁" then <unk> (CLIP lowercases it to the same ids as "a").
    expect(sd3.flowPrompt!.parts.t5!.tokens('A red fox').slice(0, 6)).toEqual([3, 2, 12, 15, 1, 0]);
  });
});

describe('T5 encoder', () => {
  it('SD3: text_encoder_3 takes int64 ids; its states follow the 77 CLIP rows', async () => {
    const { t5 } = TINY_SD3_DIMS;
    const file = sd3.folder.files.textEncoder3!;
    expect(file).toBe(path.join(models, TINY_SD3_CHECKPOINT, 'text_encoder_3', 'model.onnx'));
    expect(sd3.flowPrompt!.parts.t5!.session.inputs).toEqual([{ name: 'input_ids', type: 'int64', dims: ['batch', 'sequence'] }]);
    const ids = new BigInt64Array(T5_TOKENS.sd3);
    A_RED_FOX_IN_THE_SNOW.forEach((id, i) => (ids[i] = BigInt(id)));
    const expected = await rawT5(file, { input_ids: { data: ids, dims: [1, T5_TOKENS.sd3] } });
    const c = await sd3.flowPrompt!.encode('a red fox in the snow');
    expect(c.embeddings.dims).toEqual([1, 77 + T5_TOKENS.sd3, t5]);
    expect(t5Of(c, 77, t5)).toEqual(Array.from(expected));
  });

  it('Flux: text_encoder_2 takes int32 ids and an attention mask of ones; its states are the whole prompt', async () => {
    const file = flux.folder.files.textEncoder2!;
    expect(flux.flowPrompt!.parts.t5!.session.inputs.map((i) => `${i.name}:${i.type}`)).toEqual(['input_ids:int32', 'attention_mask:int64']);
    const n = T5_TOKENS.flux;
    const ids = new Int32Array(n);
    ids.set(A_RED_FOX_IN_THE_SNOW);
    const expected = await rawT5(file, { input_ids: { data: ids, dims: [1, n] }, attention_mask: { data: new BigInt64Array(n).fill(1n), dims: [1, n] } });
    // A mask of zeros on the padding would give other states: the ones are what diffusers' unmasked call computes.
    const masked = await rawT5(file, { input_ids: { data: ids, dims: [1, n] }, attention_mask: { data: BigInt64Array.from({ length: n }, (_, i) => (i < 7 ? 1n : 0n)), dims: [1, n] } });
    expect(maxDiff(expected, masked)).toBeGreaterThan(1e-3);
    const c = await flux.flowPrompt!.encode('a red fox in the snow');
    expect(c.embeddings.dims).toEqual([1, n, TINY_FLUX_DIMS.t5]);
    expect(Array.from(c.embeddings.data)).toEqual(Array.from(expected));
  });

  it('what reaches the transformer\'s encoder_hidden_states is the prompt\'s T5 output', async () => {
    const { t5 } = TINY_SD3_DIMS;
    for (const [model, clipRows, width] of [[sd3, 77, t5], [flux, 0, TINY_FLUX_DIMS.t5]] as const) {
      const c = await model.flowPrompt!.encode('a red fox in the snow');
      const session = model.unet.denoiser.session;
      const run = vi.spyOn(session, 'run');
      const sample: Tensor = { data: noise(16 * 8 * 8, 1), dims: [1, 16, 8, 8] };
      await model.unet.predict(sample, 500, c.embeddings, undefined, { pooled: c.pooled });
      const fed = run.mock.calls[0][0].encoder_hidden_states;
      run.mockRestore();
      expect(Array.from(fed.data as Float32Array).slice(clipRows * width)).toEqual(Array.from((await model.flowPrompt!.parts.t5!.encode('a red fox in the snow')).data));
    }
  });

  it('two prompts CLIP reads alike but T5 does not give other T5 rows and another image', async () => {
    const { t5 } = TINY_SD3_DIMS;
    const [lower, upper] = [await sd3.flowPrompt!.encode('a red fox'), await sd3.flowPrompt!.encode('A red fox')];
    expect(Array.from(upper.embeddings.data.subarray(0, 77 * t5))).toEqual(Array.from(lower.embeddings.data.subarray(0, 77 * t5)));
    expect(upper.pooled!.data).toEqual(lower.pooled!.data);
    expect(maxDiff(upper.embeddings.data.subarray(77 * t5), lower.embeddings.data.subarray(77 * t5))).toBeGreaterThan(1e-3);
    const sample = async (c: typeof lower) => (await sampleLatent({
      model: sd3.unet, sampler: 'euler', schedule: 'normal', steps: 2, cfg: 1, seed: 7, noiseMode: 'stepflow', positive: c, negative: c,
      latent: { samples: { data: new Float32Array(16 * 64), dims: [1, 16, 8, 8] } }, start: { kind: 'denoise', denoise: 1, startStep: 0 },
      endStep: 2, returnLeftoverNoise: false,
    })).latent.samples.data;
    expect(maxDiff(await sample(upper), await sample(lower))).toBeGreaterThan(1e-3);
  });

  it('without a T5 encoder: zero T5 rows, and a note saying so', async () => {
    expect(sd3.notes).toEqual([]);
    const dir = copy(TINY_SD3_CHECKPOINT, 'sd3-no-t5');
    fs.rmSync(path.join(dir, 'text_encoder_3'), { recursive: true });
    const loaded = await loadCheckpoint(runtime, dir);
    expect(loaded.notes).toEqual(['checkpoint "sd3-no-t5" has no T5 encoder (text_encoder_3/model.onnx): its 256 T5 prompt tokens are zeros, as in diffusers without one']);
    const c = await loaded.flowPrompt!.encode('a red fox');
    expect(c.embeddings.dims).toEqual([1, 77 + T5_TOKENS.sd3, TINY_SD3_DIMS.t5]);
    expect(c.embeddings.data.subarray(77 * TINY_SD3_DIMS.t5).every((v) => v === 0)).toBe(true);
  });

  it('keeps T5 states in the prompt cache: a second run of the same prompt reads them without running T5', async () => {
    const t5 = flux.flowPrompt!.parts.t5!;
    const cache = new PromptCache(64 * 1024 ** 2);
    const first = cache.forRun();
    const a = await flux.flowPrompt!.encode('a blue whale', undefined, first);
    const run = vi.spyOn(t5.session, 'run');
    const second = cache.forRun();
    const b = await flux.flowPrompt!.encode('a blue whale', undefined, second);
    const calls = run.mock.calls.length;
    run.mockRestore();
    expect(calls).toBe(0);
    expect(Array.from(b.embeddings.data)).toEqual(Array.from(a.embeddings.data));
    // CLIP-L and T5 each: missed the first time, hit the second.
    expect([first.counts(), second.counts()]).toEqual([{ hits: 0, misses: 2 }, { hits: 2, misses: 0 }]);
  });

  it('takes stepflow.json max_sequence_length in place of the pipeline default', async () => {
    const dir = copy(TINY_SD3_CHECKPOINT, 'sd3-t5-64');
    const extras = JSON.parse(fs.readFileSync(path.join(dir, 'stepflow.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'stepflow.json'), JSON.stringify({ ...extras, max_sequence_length: 64 }));
    const loaded = await loadCheckpoint(runtime, dir);
    const c = await loaded.flowPrompt!.encode('a red fox in the snow');
    expect(c.embeddings.dims).toEqual([1, 77 + 64, TINY_SD3_DIMS.t5]);
    expect(loaded.flowPrompt!.parts.t5!.tokens('a red fox in the snow').slice(0, 8)).toEqual([...A_RED_FOX_IN_THE_SNOW, 0]);
  });
});

describe('folders the loader refuses', () => {
  it('an SD3 folder without text_encoder_2/ fails at load, naming the folder', async () => {
    const dir = copy(TINY_SD3_CHECKPOINT, 'sd3-no-text-encoder-2');
    fs.rmSync(path.join(dir, 'text_encoder_2'), { recursive: true });
    const err = await loadCheckpoint(runtime, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect(String(err)).toMatch(/sd3-no-text-encoder-2: checkpoint folder lacks text_encoder_2\/model\.onnx: model_index\.json names StableDiffusion3Pipeline, whose prompt needs the CLIP-G encoder in text_encoder_2\//);
  });

  it('a T5 encoder without tokenizer.json names the file', async () => {
    const dir = copy(TINY_SD3_CHECKPOINT, 'sd3-no-t5-tokenizer');
    fs.rmSync(path.join(dir, 'tokenizer_3', 'tokenizer.json'));
    await expect(loadCheckpoint(runtime, dir)).rejects.toThrow(/tokenizer_3\/tokenizer\.json: is missing: the T5 encoder text_encoder_3\/model\.onnx needs its tokenizer/);
  });

  it('a T5 whose width is not joint_attention_dim names both', async () => {
    const dir = copy(TINY_FLUX_CHECKPOINT, 'flux-t5-width');
    const configFile = path.join(dir, 'transformer', 'config.json');
    fs.writeFileSync(configFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(configFile, 'utf8')), joint_attention_dim: 40 }));
    await expect(loadCheckpoint(runtime, dir)).rejects.toThrow(/text_encoder_2\/model\.onnx: gives 32-wide states, but the transformer's joint_attention_dim is 40/);
  });
});
