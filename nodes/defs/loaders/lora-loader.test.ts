// The LoRA Loader node on the tiny SD model: merged sessions in the MODEL/CLIP values, zero strength,
// stacking, the A -> B -> A session reuse and the warnings for keys it cannot apply.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../../engine/executor';
import { OnnxRuntime } from '../../runtime/onnx';
import { ModelStore } from '../../runtime/models';
import { InputStore } from '../../runtime/inputs';
import { writeSafetensors } from '../../runtime/safetensors';
import { allNodes } from '../../models/testing/model-nodes';
import { mergedSessions } from '../../lora/merged-sessions';
import { writeTinySd } from '../../pack/tiny-sd/part';
import type { ClipModel, LatentValue, UNetModel } from '../../values';
import { loraLoader } from './lora-loader';

let models: string;
let runtime: OnnxRuntime;
const LORA = 'tiny-sd-kohya.safetensors';

beforeAll(async () => {
  models = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-lora-node-'));
  await writeTinySd(models);
  const loras = path.join(models, 'loras');
  writeSafetensors(path.join(loras, 'partial.safetensors'), {
    'lora_unet_conv_in.lora_down.weight': { shape: [1, 4, 3, 3], data: new Float32Array(36).fill(0.1) },
    'lora_unet_conv_in.lora_up.weight': { shape: [32, 1, 1, 1], data: new Float32Array(32).fill(0.1) },
    'lora_unet_down_blocks_5_attentions_0_proj_in.lora_down.weight': { shape: [1, 32], data: new Float32Array(32) },
    'lora_unet_down_blocks_5_attentions_0_proj_in.lora_up.weight': { shape: [32, 1], data: new Float32Array(32) },
  });
  writeSafetensors(path.join(loras, 'loha.safetensors'), {
    'lora_unet_conv_in.hada_w1_a': { shape: [32, 2], data: new Float32Array(64) },
  });
  runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 30, intraOpThreads: 1, onWarning: () => undefined });
}, 60_000);
afterAll(async () => {
  await runtime.dispose();
  fs.rmSync(models, { recursive: true, force: true });
});

const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });

/** checkpoint -> lora(s) -> prompts + sampler (2 DDIM steps on an 8x8 latent). */
function graph(loras: { name: string; model: number; clip: number }[], opts: { clip?: boolean } = {}) {
  const withClip = opts.clip !== false;
  const nodes: Record<string, unknown>[] = [{ id: 'checkpoint', type: 'checkpoint_loader', params: { ckpt_name: 'tiny-sd' } }];
  const edges = [];
  let model = 'checkpoint', clip = 'checkpoint';
  loras.forEach((l, i) => {
    const id = `lora${i}`;
    nodes.push({ id, type: 'lora_loader', params: { lora_name: l.name, strength_model: l.model, strength_clip: l.clip } });
    edges.push(edge(model, 'model', id, 'model'));
    if (withClip) edges.push(edge(clip, 'clip', id, 'clip'));
    model = id;
    if (withClip) clip = id;
  });
  nodes.push(
    { id: 'positive', type: 'text_encoder', params: { text: 'a photo of a cat' } },
    { id: 'negative', type: 'text_encoder', params: { text: '' } },
    { id: 'latent', type: 'empty_latent', params: { width: 64, height: 64 } },
    { id: 'sampler', type: 'sampler', params: { seed: 3, steps: 2, cfg: 5, sampler: 'ddim' } },
  );
  edges.push(
    edge(clip, 'clip', 'positive', 'clip'), edge(clip, 'clip', 'negative', 'clip'), edge(model, 'model', 'sampler', 'model'),
    edge('positive', 'conditioning', 'sampler', 'positive'), edge('negative', 'conditioning', 'sampler', 'negative'),
    edge('latent', 'latent', 'sampler', 'latent'),
  );
  return { version: 1, nodes, edges };
}

/** A fresh executor per run (empty node cache) on the shared runtime, as a long-lived worker sees repeated runs. */
async function run(g: ReturnType<typeof graph>) {
  const executor = new Executor({ runtime, models: new ModelStore(models), inputs: new InputStore([]), nodes: allNodes([loraLoader]) });
  const warnings: string[] = [];
  const r = await executor.run(g, {
    runId: 'lora', targets: ['sampler'],
    onEvent: (e) => { if (e.type === 'node:warning') warnings.push(e.message); },
  });
  expect(r.error).toBeUndefined();
  const latent = (r.values.get('sampler')!.latent as LatentValue).samples.data;
  return { r, warnings, latent };
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('lora_loader', () => {
  it('gives MODEL and CLIP values on merged sessions; strength 0 keeps the loaded models', async () => {
    const base = await run(graph([{ name: LORA, model: 0, clip: 0 }]));
    expect(base.r.values.get('lora0')!.model).toBe(base.r.values.get('checkpoint')!.model);
    expect(base.r.values.get('lora0')!.clip).toBe(base.r.values.get('checkpoint')!.clip);

    const merged = await run(graph([{ name: LORA, model: 1, clip: 1 }]));
    const model = merged.r.values.get('lora0')!.model as UNetModel;
    const clip = merged.r.values.get('lora0')!.clip as ClipModel;
    expect(model.loras).toEqual([{ name: LORA, strength: 1 }]);
    expect(clip.loras).toEqual([{ name: LORA, strength: 1 }]);
    expect(model.file).toBe((merged.r.values.get('checkpoint')!.model as UNetModel).file);
    expect(merged.warnings).toEqual([]);
    expect(maxDiff(merged.latent, base.latent)).toBeGreaterThan(1e-3);

    const unetOnly = await run(graph([{ name: LORA, model: 1, clip: 0 }]));
    expect((unetOnly.r.values.get('lora0')!.clip as ClipModel).loras).toEqual([]);
    expect(maxDiff(unetOnly.latent, base.latent)).toBeGreaterThan(1e-3);
    expect(maxDiff(unetOnly.latent, merged.latent)).toBeGreaterThan(1e-4);
  });

  it('stacks: +1 then -1 of the same LoRA gives back the base model\'s result', async () => {
    const base = await run(graph([{ name: LORA, model: 0, clip: 0 }]));
    const stacked = await run(graph([{ name: LORA, model: 1, clip: 1 }, { name: LORA, model: -1, clip: -1 }]));
    expect((stacked.r.values.get('lora1')!.model as UNetModel).loras).toEqual([{ name: LORA, strength: 1 }, { name: LORA, strength: -1 }]);
    expect(maxDiff(stacked.latent, base.latent)).toBeLessThan(1e-3);
  });

  it('switching A -> B -> A merges for A and B and reuses A\'s sessions the second time', async () => {
    const A = [{ name: LORA, model: 0.75, clip: 0.75 }];
    const B = [{ name: LORA, model: 0.25, clip: 0.25 }];
    const before = { merges: mergedSessions.merges, loads: mergedSessions.sessionLoads };
    const a1 = await run(graph(A));
    await run(graph(B));
    expect(mergedSessions.merges - before.merges).toBe(4); // U-Net + text encoder, twice
    const a2 = await run(graph(A));
    expect(mergedSessions.merges - before.merges).toBe(4);
    expect(mergedSessions.sessionLoads - before.loads).toBe(4);
    expect(a2.latent).toEqual(a1.latent);
  });

  it('keeps working from the node cache after the runtime evicted the merged sessions', async () => {
    const executor = new Executor({ runtime, models: new ModelStore(models), inputs: new InputStore([]), nodes: allNodes([loraLoader]) });
    const g = graph([{ name: LORA, model: 0.6, clip: 0.6 }]);
    const first = await executor.run(g, { runId: 'e1', targets: ['sampler'] });
    const model = first.values.get('lora0')!.model as UNetModel;
    const file = path.join(models, 'loras', LORA);
    await runtime.evict(mergedSessions.key({ onnxFile: model.file, component: 'unet', loras: [{ name: LORA, file, strength: 0.6 }] }));
    const merges = mergedSessions.merges;
    // A different seed re-runs the sampler while the lora node comes from the node cache.
    const g2 = { ...g, nodes: g.nodes.map((n) => (n.id === 'sampler' ? { ...n, params: { ...(n.params as object), seed: 4 } } : n)) };
    const second = await executor.run(g2, { runId: 'e2', targets: ['sampler'] });
    expect(second.error).toBeUndefined();
    expect(second.nodes.find((n) => n.id === 'lora0')?.cached).toBe(true);
    expect(mergedSessions.merges - merges).toBe(1);
  });

  it('warns about keys that match nothing and about files with nothing it can apply', async () => {
    const partial = await run(graph([{ name: 'partial.safetensors', model: 1, clip: 1 }]));
    expect(partial.warnings).toEqual([
      'LoRA "partial.safetensors": 1 module(s) match no weight of the U-Net and were ignored: lora_unet_down_blocks_5_attentions_0_proj_in.lora_down.weight',
      // The run-level line (node:finished's warnings) is sent live too.
      'LoRA partial.safetensors applied to 1 of 2 layers of checkpoint tiny-sd',
    ]);
    expect((partial.r.values.get('lora0')!.model as UNetModel).loras).toEqual([{ name: 'partial.safetensors', strength: 1 }]);
    // No text-encoder modules: the CLIP stays the loaded one.
    expect(partial.r.values.get('lora0')!.clip).toBe(partial.r.values.get('checkpoint')!.clip);

    const loha = await run(graph([{ name: 'loha.safetensors', model: 1, clip: 1 }]));
    expect(loha.warnings).toEqual([
      'LoRA "loha.safetensors" has no U-Net or text-encoder modules this loader can apply (1 keys not understood, e.g. lora_unet_conv_in.hada_w1_a); the model is unchanged',
    ]);
  });

  it('patches only the U-Net when no CLIP is connected', async () => {
    const r = await run(graph([{ name: LORA, model: 1, clip: 1 }], { clip: false }));
    expect((r.r.values.get('lora0')!.model as UNetModel).loras).toEqual([{ name: LORA, strength: 1 }]);
    expect(r.r.values.get('lora0')!.clip).toBeUndefined();
  });
});
