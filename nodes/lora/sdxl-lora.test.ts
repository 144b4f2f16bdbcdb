// The pack's tiny SDXL kohya LoRA (lora_unet_, lora_te1_, lora_te2_) on the tiny SDXL base: every key maps to an
// ONNX initializer of its component, and merging changes the U-Net and both encoders' outputs (pooled included).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSdxlCheckpoint, type LoadedSdxlCheckpoint } from '../models/sdxl-checkpoint';
import { TINY_SDXL_CHECKPOINT, TINY_SDXL_DIM_1, TINY_SDXL_DIM_2, TINY_SDXL_LORA, writeTinySdxl } from '../pack/tiny-sdxl/part';
import { ModelStore } from '../runtime/models';
import { OnnxRuntime } from '../runtime/onnx';
import { readSafetensorsHeader } from '../runtime/safetensors';
import { applyLora } from './apply';
import { parseLoraKey } from './keys';
import { applySdxlClipLora } from './sdxl-clip-lora';

let models: string;
let runtime: OnnxRuntime;
let base: LoadedSdxlCheckpoint;

beforeAll(async () => {
  models = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-sdxl-lora-'));
  await writeTinySdxl(models);
  runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 30, intraOpThreads: 1, onWarning: () => undefined });
  base = await loadSdxlCheckpoint(runtime, path.join(models, TINY_SDXL_CHECKPOINT));
}, 120_000);
afterAll(async () => {
  await runtime.dispose();
  fs.rmSync(models, { recursive: true, force: true });
});

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('tiny SDXL kohya LoRA', () => {
  it('parses lora_te1_ / lora_te2_ / lora_unet_ keys into the three SDXL components', () => {
    expect(parseLoraKey('lora_te1_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight'))
      .toEqual({ component: 'text_encoder', module: 'text_model_encoder_layers_0_self_attn_q_proj', role: 'down' });
    expect(parseLoraKey('lora_te2_text_model_encoder_layers_1_mlp_fc2.lora_up.weight'))
      .toEqual({ component: 'text_encoder_2', module: 'text_model_encoder_layers_1_mlp_fc2', role: 'up' });
    expect(parseLoraKey('lora_unet_add_embedding_linear_1.alpha')).toEqual({ component: 'unet', module: 'add_embedding_linear_1', role: 'alpha' });
    const keys = [...readSafetensorsHeader(path.join(models, TINY_SDXL_LORA)).entries.keys()];
    const components = new Set(keys.map((k) => parseLoraKey(k)?.component));
    expect([...components].sort()).toEqual(['text_encoder', 'text_encoder_2', 'unet']);
  });

  it('every module lands on an initializer, and the U-Net and both encoders compute something else', async () => {
    const ctx = { runtime, models: new ModelStore(models) };
    const lora = { name: 'tiny-sdxl-kohya.safetensors', file: path.join(models, TINY_SDXL_LORA), strength: 1 };
    const unet = await applyLora(ctx, base.unet, 'unet', lora);
    const clip = await applySdxlClipLora(ctx, base.clip, lora);
    const keys = [...readSafetensorsHeader(lora.file).entries.keys()].filter((k) => k.endsWith('.lora_down.weight'));
    const count = (prefix: string) => keys.filter((k) => k.startsWith(prefix)).length;
    // Nothing unmatched or mismatched: each module patched its weight (the counts are the LoRA's modules).
    expect(unet.report!.issues).toEqual([]);
    expect(new Set(unet.report!.patched.flatMap((p) => p.modules)).size).toBe(count('lora_unet_'));
    expect(unet.report!.patched.some((p) => p.initializer.startsWith('add_embedding.linear_1'))).toBe(true);
    expect(clip.parts.map((p) => [p.component, p.report.issues.length, new Set(p.report.patched.flatMap((x) => x.modules)).size]))
      .toEqual([['text_encoder', 0, count('lora_te1_')], ['text_encoder_2', 0, count('lora_te2_')]]);
    expect(clip.model.loras).toEqual([{ name: lora.name, strength: 1 }]);

    const prompt = 'a lighthouse at dusk';
    const [before, after] = [await base.clip.encode(prompt), await clip.model.encode(prompt)];
    const d = TINY_SDXL_DIM_1 + TINY_SDXL_DIM_2;
    const slice = (data: Float32Array, from: number, width: number) => Float32Array.from({ length: 77 * width }, (_, i) => data[Math.floor(i / width) * d + from + (i % width)]);
    expect(maxDiff(slice(before.embeddings.data, 0, TINY_SDXL_DIM_1), slice(after.embeddings.data, 0, TINY_SDXL_DIM_1))).toBeGreaterThan(1e-3);
    expect(maxDiff(slice(before.embeddings.data, TINY_SDXL_DIM_1, TINY_SDXL_DIM_2), slice(after.embeddings.data, TINY_SDXL_DIM_1, TINY_SDXL_DIM_2))).toBeGreaterThan(1e-3);
    expect(maxDiff(before.pooled!.data, after.pooled!.data)).toBeGreaterThan(1e-3);

    const sample = { data: Float32Array.from({ length: 4 * 64 }, (_, i) => Math.cos(i * 0.21)), dims: [1, 4, 8, 8] };
    const added = { pooled: before.pooled!, timeIds: { data: Float32Array.of(64, 64, 0, 0, 64, 64), dims: [1, 6] } };
    const [u0, u1] = [await base.unet.predict(sample, 700, before.embeddings, undefined, added), await unet.model.predict(sample, 700, before.embeddings, undefined, added)];
    expect(maxDiff(u0.data, u1.data)).toBeGreaterThan(1e-3);
  });
});
