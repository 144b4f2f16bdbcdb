// The pack generator: deterministic bytes, a manifest that lets ensurePack skip up-to-date parts and
// regenerate missing, corrupt or changed ones, and a checkpoint folder in the diffusers ONNX layout.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxRuntime } from '../runtime/onnx';
import { ClipTokenizer } from '../text';
import { SPRITES_CHECKPOINT, SPRITES_REFINER } from './checkpoint';
import { MANIFEST_FILE, readManifest, sha256File } from './checksum';
import { ensurePack, PACK_PARTS, stalePackParts, type PackProgress } from './generate';
import type { PackPart } from './part';
import { latentRgbProjection } from './vae';

let tmp: string;
let first: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-pack-'));
  first = path.join(tmp, 'a');
  await ensurePack(first);
}, 120_000);

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const total = (dir: string) => Object.keys(readManifest(dir)!.files).reduce((n, rel) => n + fs.statSync(path.join(dir, rel)).size, 0);

describe('pack generation', () => {
  it('is deterministic: a second generation writes the same bytes', async () => {
    const second = path.join(tmp, 'b');
    await ensurePack(second);
    const a = readManifest(first)!, b = readManifest(second)!;
    expect(Object.keys(a.files).length).toBeGreaterThanOrEqual(19);
    expect(b.files).toEqual(a.files);
    expect(b.generator).toBe(a.generator);
    for (const rel of Object.keys(a.files)) expect(sha256File(path.join(first, rel)), rel).toBe(a.files[rel]);
    fs.rmSync(second, { recursive: true, force: true });
  }, 120_000);

  // 128 MB: the pack carries a tiny model of every family the loaders read (SD 1.x, SDXL, SD3, Flux, ControlNet,
  // 9-channel inpainting) and fp16/int8 variants of SD 1.x, SDXL, SD3 and Flux besides the exact sprites models;
  // generation stays a few seconds. (96 MB before the SDXL/SD3/Flux variants, with the pack at 89.2 MB: they add
  // 30.9 MB, 120.1 MB in all, mostly their CLIP encoders' 49408-row token tables and tokenizer files, which are
  // float16 already in the float32 folders and which dynamic int8 leaves alone.)
  it('stays within the 128 MB budget', () => {
    expect(total(first)).toBeLessThan(128 * 2 ** 20);
  });

  it('skips up-to-date parts without touching their files', async () => {
    const unet = path.join(first, SPRITES_CHECKPOINT, 'unet', 'weights.pb');
    const before = fs.statSync(unet).mtimeMs;
    const events: PackProgress[] = [];
    const result = await ensurePack(first, { onProgress: (p) => events.push(p) });
    expect(result.generated).toEqual([]);
    expect(events.map((e) => e.phase)).toEqual(PACK_PARTS.map(() => 'skip'));
    expect(fs.statSync(unet).mtimeMs).toBe(before);
    expect(stalePackParts(first)).toEqual([]);
  });

  it('regenerates the part whose file was deleted or corrupted, and only that part', async () => {
    const refiner = path.join(first, SPRITES_REFINER);
    const sha = readManifest(first)!.files[SPRITES_REFINER];
    fs.rmSync(refiner);
    expect(stalePackParts(first)).toEqual([{ part: 'sprites-refiner', reason: `${SPRITES_REFINER} is missing` }]);
    expect((await ensurePack(first)).generated).toEqual(['sprites-refiner']);
    expect(sha256File(refiner)).toBe(sha);

    const vocab = path.join(first, SPRITES_CHECKPOINT, 'tokenizer', 'vocab.json');
    fs.appendFileSync(vocab, ' ');
    expect((await ensurePack(first)).generated).toEqual(['sprites-checkpoint']);
    expect(sha256File(vocab)).toBe(readManifest(first)!.files[`${SPRITES_CHECKPOINT}/tokenizer/vocab.json`]);
  }, 60_000);

  it('regenerates a part when one of its generator sources changes, and removes files it no longer writes', async () => {
    const dir = path.join(tmp, 'fake');
    const source = path.join(tmp, 'fake-source.txt');
    fs.writeFileSync(source, 'v1');
    let outputs = ['demo/one.txt', 'demo/two.txt'];
    const part: PackPart = {
      name: 'demo',
      sources: [source],
      async generate(modelsDir) {
        fs.mkdirSync(path.join(modelsDir, 'demo'), { recursive: true });
        for (const rel of outputs) fs.writeFileSync(path.join(modelsDir, rel), fs.readFileSync(source));
        return outputs;
      },
    };
    expect((await ensurePack(dir, { parts: [part] })).generated).toEqual(['demo']);
    expect((await ensurePack(dir, { parts: [part] })).generated).toEqual([]);
    fs.writeFileSync(source, 'v2');
    outputs = ['demo/one.txt'];
    expect(stalePackParts(dir, [part])).toEqual([{ part: 'demo', reason: 'its generator changed' }]);
    expect((await ensurePack(dir, { parts: [part] })).generated).toEqual(['demo']);
    expect(fs.readFileSync(path.join(dir, 'demo/one.txt'), 'utf8')).toBe('v2');
    expect(fs.existsSync(path.join(dir, 'demo/two.txt'))).toBe(false);
    expect(Object.keys(readManifest(dir)!.files)).toEqual(['demo/one.txt']);
    expect(fs.existsSync(path.join(dir, '.pack.lock'))).toBe(false);
  });

  it('rejects a part that reports files it did not write', async () => {
    const liar: PackPart = { name: 'liar', sources: [], generate: async () => ['nowhere.onnx'] };
    await expect(ensurePack(path.join(tmp, 'liar'), { parts: [liar] })).rejects.toThrow(/part "liar": reported nowhere.onnx but did not write it/);
    expect(fs.existsSync(path.join(tmp, 'liar', MANIFEST_FILE))).toBe(false);
  });
});

describe('the sprites checkpoint folder', () => {
  const at = (...p: string[]) => path.join(first, SPRITES_CHECKPOINT, ...p);
  const json = (...p: string[]) => JSON.parse(fs.readFileSync(at(...p), 'utf8'));

  it('has the diffusers ONNX layout and configs', () => {
    expect(json('model_index.json')).toMatchObject({
      _class_name: 'OnnxStableDiffusionPipeline',
      unet: ['diffusers', 'OnnxRuntimeModel'],
      text_encoder: ['diffusers', 'OnnxRuntimeModel'],
      vae_decoder: ['diffusers', 'OnnxRuntimeModel'],
      vae_encoder: ['diffusers', 'OnnxRuntimeModel'],
      tokenizer: ['transformers', 'CLIPTokenizer'],
      // The pipeline index names the same scheduler class as scheduler_config.json.
      scheduler: ['diffusers', 'PNDMScheduler'],
    });
    expect(json('scheduler', 'scheduler_config.json')).toMatchObject({
      _class_name: 'PNDMScheduler', beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear',
      num_train_timesteps: 1000, set_alpha_to_one: false, steps_offset: 1, skip_prk_steps: true, prediction_type: 'epsilon',
    });
    expect(json('vae_decoder', 'config.json')).toMatchObject({ scaling_factor: 1, latent_channels: 4 });
    expect(json('stepflow.json')).toMatchObject({ latent_rgb: latentRgbProjection(), resolution: [256, 256] });
    expect(JSON.parse(fs.readFileSync(path.join(first, SPRITES_REFINER.replace('.onnx', '.json')), 'utf8')).scheduler).toEqual(json('scheduler', 'scheduler_config.json'));
  });

  it('ships the real CLIP tokenizer files', () => {
    const tok = ClipTokenizer.fromHfFolder(at('tokenizer'));
    expect(tok.tokenize('red circle on blue background')).toEqual([49406, 736, 7117, 525, 1746, 5994, 49407]);
  });

  it('loads every model from disk with the diffusers tensor names (the U-Net with external weights)', async () => {
    const rt = new OnnxRuntime({ provider: 'cpu', intraOpThreads: 1, budgetBytes: 1 << 30 });
    try {
      const names = async (rel: string) => {
        const s = await rt.session(rel, { path: path.join(first, rel) });
        return [s.inputs.map((i) => `${i.name}:${i.type}`), s.outputs.map((o) => o.name)];
      };
      expect(await names(`${SPRITES_CHECKPOINT}/unet/model.onnx`)).toEqual([['sample:float32', 'timestep:float32', 'encoder_hidden_states:float32'], ['out_sample']]);
      expect(await names(SPRITES_REFINER)).toEqual([['sample:float32', 'timestep:float32', 'encoder_hidden_states:float32'], ['out_sample']]);
      expect(await names(`${SPRITES_CHECKPOINT}/text_encoder/model.onnx`)).toEqual([['input_ids:int32'], ['last_hidden_state']]);
      expect(await names(`${SPRITES_CHECKPOINT}/vae_decoder/model.onnx`)).toEqual([['latent_sample:float32'], ['sample']]);
      expect(await names(`${SPRITES_CHECKPOINT}/vae_encoder/model.onnx`)).toEqual([['sample:float32'], ['latent_sample']]);
    } finally {
      await rt.dispose();
    }
  });
});
