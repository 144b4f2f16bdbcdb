// The tiny SDXL base and refiner (generated into a temporary folder) through the real loaders and onnxruntime-node:
// the U-Nets' added inputs, prompt encoding (penultimate raw hidden states of both encoders side by side, pooled
// text_embeds of encoder 2), and the typed errors of folders whose parts belong to different families.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinySd, TINY_SD_CHECKPOINT } from '../pack/tiny-sd/part';
import { TINY_SDXL_CHECKPOINT, TINY_SDXL_DIM_1, TINY_SDXL_DIM_2, TINY_SDXL_REFINER, writeTinySdxl } from '../pack/tiny-sdxl/part';
import { outputFloat32 } from '../onnx/feeds';
import { OnnxRuntime } from '../runtime/onnx';
import { loadCheckpoint } from './checkpoint';
import { ModelFormatError, ModelInputError } from './errors';
import { isSdxlFolder, loadSdxlCheckpoint, type LoadedSdxlCheckpoint } from './sdxl-checkpoint';
import { sdxlTimeIds } from './sdxl-time-ids';

let models: string;
let runtime: OnnxRuntime;
let base: LoadedSdxlCheckpoint;
let refiner: LoadedSdxlCheckpoint;

beforeAll(async () => {
  models = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-sdxl-'));
  await writeTinySdxl(models);
  await writeTinySd(models);
  runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 30, intraOpThreads: 1, onWarning: () => undefined });
  base = await loadSdxlCheckpoint(runtime, path.join(models, TINY_SDXL_CHECKPOINT));
  refiner = await loadSdxlCheckpoint(runtime, path.join(models, TINY_SDXL_REFINER));
}, 120_000);
afterAll(async () => {
  await runtime.dispose();
  fs.rmSync(models, { recursive: true, force: true });
});

const PROMPT = 'a lighthouse at dusk';
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** The encoder's own outputs for the prompt's first window. */
async function rawOutputs(clip: NonNullable<LoadedSdxlCheckpoint['clip']['first']>) {
  const ids = clip.tokenizer.encodeWeighted(PROMPT).chunks[0].ids;
  const out = await clip.session.run({ input_ids: { data: Int32Array.from(ids), dims: [1, ids.length] } });
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, outputFloat32(v)]));
}

/** Copies a checkpoint folder, then lets `edit` break it. */
function variant(from: string, to: string, edit: (dir: string) => void): string {
  const dir = path.join(models, to);
  fs.cpSync(path.join(models, from), dir, { recursive: true });
  edit(dir);
  return dir;
}

describe('tiny SDXL checkpoints', () => {
  it('are recognised by their second encoder and load with SDXL U-Net inputs (6 time ids base, 5 refiner)', () => {
    expect(isSdxlFolder(path.join(models, TINY_SDXL_CHECKPOINT))).toBe(true);
    expect(isSdxlFolder(path.join(models, TINY_SDXL_REFINER))).toBe(true);
    expect(isSdxlFolder(path.join(models, TINY_SD_CHECKPOINT))).toBe(false);
    const io = (ck: LoadedSdxlCheckpoint) => ck.unet.denoiser.session.inputs.map((i) => `${i.name}:${i.type}[${i.dims.join(',')}]`);
    expect(io(base)).toEqual([
      'sample:float32[batch,4,height,width]', 'timestep:int64[batch]', `encoder_hidden_states:float32[batch,sequence,${TINY_SDXL_DIM_1 + TINY_SDXL_DIM_2}]`,
      `text_embeds:float32[batch,${TINY_SDXL_DIM_2}]`, 'time_ids:float32[batch,6]',
    ]);
    expect(io(refiner).slice(2)).toEqual([`encoder_hidden_states:float32[batch,sequence,${TINY_SDXL_DIM_2}]`, `text_embeds:float32[batch,${TINY_SDXL_DIM_2}]`, 'time_ids:float32[batch,5]']);
    expect([base.unet.addedTimeIds, base.refiner, refiner.unet.addedTimeIds, refiner.refiner]).toEqual([6, false, 5, true]);
    expect([base.clip.first?.file, base.clip.second.file].map((f) => f && path.relative(models, f))).toEqual([
      `${TINY_SDXL_CHECKPOINT}/text_encoder/model.onnx`, `${TINY_SDXL_CHECKPOINT}/text_encoder_2/model.onnx`,
    ]);
    expect(refiner.clip.first).toBeUndefined();
    expect(base.vae.scalingFactor).toBe(0.13025);
  });

  it('encodes a prompt as [penultimate of encoder 1 | penultimate of encoder 2] with encoder 2 pooled text_embeds', async () => {
    const cond = await base.clip.encode(PROMPT);
    const d = TINY_SDXL_DIM_1 + TINY_SDXL_DIM_2;
    expect(cond.embeddings.dims).toEqual([1, 77, d]);
    expect(cond.pooled?.dims).toEqual([1, TINY_SDXL_DIM_2]);
    const l = await rawOutputs(base.clip.first!);
    const g = await rawOutputs(base.clip.second);
    // Two layers: hidden_states.1 is the penultimate one (diffusers' hidden_states[-2]), taken without the final norm.
    const first = Float32Array.from({ length: 77 * TINY_SDXL_DIM_1 }, (_, i) => cond.embeddings.data[Math.floor(i / TINY_SDXL_DIM_1) * d + (i % TINY_SDXL_DIM_1)]);
    const second = Float32Array.from({ length: 77 * TINY_SDXL_DIM_2 }, (_, i) => cond.embeddings.data[Math.floor(i / TINY_SDXL_DIM_2) * d + TINY_SDXL_DIM_1 + (i % TINY_SDXL_DIM_2)]);
    expect(first).toEqual(l['hidden_states.1']);
    expect(second).toEqual(g['hidden_states.1']);
    expect(maxDiff(first, l.last_hidden_state)).toBeGreaterThan(0.1);
    expect(maxDiff(second, g.last_hidden_state)).toBeGreaterThan(0.1);
    expect(cond.pooled!.data).toEqual(g.text_embeds);
    // The pooled projection is of the end token's state: another prompt moves it.
    expect(maxDiff(cond.pooled!.data, (await base.clip.encode('a red boat')).pooled!.data)).toBeGreaterThan(1e-3);
  });

  it('the refiner encodes with encoder 2 alone', async () => {
    const cond = await refiner.clip.encode(PROMPT);
    expect(cond.embeddings.dims).toEqual([1, 77, TINY_SDXL_DIM_2]);
    expect(cond.embeddings.data).toEqual((await rawOutputs(refiner.clip.second))['hidden_states.1']);
    expect(cond.pooled?.dims).toEqual([1, TINY_SDXL_DIM_2]);
  });

  it('time ids: base (original h, w, crop top, left, target h, w), refiner (original h, w, crop, aesthetic 6.0 / 2.5)', () => {
    const latent = [2, 4, 16, 12]; // 96 px wide, 128 px high
    expect(Array.from(sdxlTimeIds(6, latent, 'positive').data)).toEqual([128, 96, 0, 0, 128, 96]);
    expect(Array.from(sdxlTimeIds(6, latent, 'negative').data)).toEqual([128, 96, 0, 0, 128, 96]);
    expect(Array.from(sdxlTimeIds(5, latent, 'positive').data)).toEqual([128, 96, 0, 0, 6]);
    expect(Array.from(sdxlTimeIds(5, latent, 'negative').data)).toEqual([128, 96, 0, 0, 2.5]);
    expect(Array.from(sdxlTimeIds(6, latent, 'positive', { originalWidth: 1024, originalHeight: 768, cropTop: 8, cropLeft: 16 }).data)).toEqual([768, 1024, 8, 16, 128, 96]);
    expect(sdxlTimeIds(6, latent, 'positive').dims).toEqual([1, 6]);
  });

  it('the U-Net uses text_embeds and time_ids, and names its file when the conditioning has no pooled embedding', async () => {
    const cond = await base.clip.encode(PROMPT);
    const sample = { data: Float32Array.from({ length: 4 * 64 }, (_, i) => Math.sin(i * 0.37)), dims: [1, 4, 8, 8] };
    const run = (timeIds: number[], pooled = cond.pooled!) => base.unet.predict(sample, 500, cond.embeddings, undefined, { pooled, timeIds: { data: Float32Array.from(timeIds), dims: [1, 6] } });
    const a = await run([64, 64, 0, 0, 64, 64]);
    expect(maxDiff(a.data, (await run([1024, 1024, 0, 0, 64, 64])).data)).toBeGreaterThan(1e-3);
    expect(maxDiff(a.data, (await run([64, 64, 0, 0, 64, 64], { data: new Float32Array(TINY_SDXL_DIM_2), dims: [1, TINY_SDXL_DIM_2] })).data)).toBeGreaterThan(1e-3);
    const without = base.unet.predict(sample, 500, cond.embeddings);
    await expect(without).rejects.toBeInstanceOf(ModelInputError);
    await expect(base.unet.predict(sample, 500, cond.embeddings)).rejects.toThrow(/tiny-sdxl\/unet\/model\.onnx is an SDXL U-Net: it takes text_embeds/);
  });

  it('wrong-family folders fail with a typed error naming the missing file or input', async () => {
    const noEncoder2 = variant(TINY_SDXL_CHECKPOINT, 'no-te2', (dir) => {
      fs.rmSync(path.join(dir, 'text_encoder_2'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'model_index.json'), JSON.stringify({ _class_name: 'OnnxStableDiffusionPipeline' }));
    });
    await expect(loadCheckpoint(runtime, noEncoder2)).rejects.toThrow(/lacks text_encoder_2\/model\.onnx: .*unet\/model\.onnx takes text_embeds and time_ids/);
    await expect(loadCheckpoint(runtime, noEncoder2)).rejects.toBeInstanceOf(ModelFormatError);
    const indexSaysXl = variant(TINY_SDXL_CHECKPOINT, 'xl-index-no-te2', (dir) => fs.rmSync(path.join(dir, 'text_encoder_2'), { recursive: true }));
    expect(isSdxlFolder(indexSaysXl)).toBe(true);
    await expect(loadSdxlCheckpoint(runtime, indexSaysXl)).rejects.toThrow(/lacks text_encoder_2\/model\.onnx/);
    const noEncoder1 = variant(TINY_SDXL_CHECKPOINT, 'no-te1', (dir) => fs.rmSync(path.join(dir, 'text_encoder'), { recursive: true }));
    await expect(loadSdxlCheckpoint(runtime, noEncoder1)).rejects.toThrow(/lacks text_encoder\/model\.onnx: .*SDXL base U-Net \(time_ids of 6\)/);
    const sdUnet = variant(TINY_SDXL_CHECKPOINT, 'sd-unet', (dir) => {
      fs.rmSync(path.join(dir, 'unet'), { recursive: true });
      fs.cpSync(path.join(models, TINY_SD_CHECKPOINT, 'unet'), path.join(dir, 'unet'), { recursive: true });
    });
    await expect(loadSdxlCheckpoint(runtime, sdUnet)).rejects.toThrow(/sd-unet\/unet\/model\.onnx: has no text_embeds and time_ids inputs/);
    await expect(loadSdxlCheckpoint(runtime, sdUnet)).rejects.toBeInstanceOf(ModelFormatError);
  });
});
