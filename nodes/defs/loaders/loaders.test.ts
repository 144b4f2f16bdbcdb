// Loose-file loaders (U-Net, CLIP, VAE, refiner) and the refiner node, on the toy checkpoint's files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../../engine/executor';
import type { RunEvent } from '../../engine/events';
import { OnnxRuntime } from '../../runtime/onnx';
import { ModelStore } from '../../runtime/models';
import { InputStore } from '../../runtime/inputs';
import { allNodes } from '../../models/testing/model-nodes';
import { writeToyCheckpoint } from '../../models/testing/toy-checkpoint';
import { SD15_LATENT_RGB } from '../../models/latent-rgb';
import type { RefinerModel, UNetModel, VaeModel } from '../../values';

let tmp: string;
let runtime: OnnxRuntime;
let executor: Executor;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-loaders-'));
  const ck = writeToyCheckpoint(path.join(tmp, 'toy'));
  const models = path.join(tmp, 'models');
  const put = (from: string, kind: string, name: string) => {
    fs.mkdirSync(path.join(models, kind), { recursive: true });
    fs.copyFileSync(path.join(ck, from), path.join(models, kind, name));
  };
  put('unet/model.onnx', 'unet', 'toy-unet.onnx');
  put('unet/weights.pb', 'unet', 'weights.pb');
  put('text_encoder/model.onnx', 'text_encoders', 'toy-clip.onnx');
  put('vae_decoder/model.onnx', 'vae', 'toy-vae.onnx');
  put('vae_encoder/model.onnx', 'vae', 'toy-vae-encoder.onnx');
  fs.writeFileSync(path.join(models, 'vae', 'toy-vae.json'), JSON.stringify({ scaling_factor: 0.5, encoder: 'toy-vae-encoder.onnx' }));
  put('unet/model.onnx', 'refiners', 'toy-refiner.onnx');
  put('unet/weights.pb', 'refiners', 'weights.pb');
  fs.copyFileSync(path.join(ck, 'stepflow.json'), path.join(models, 'refiners', 'toy-refiner.json'));
  runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 30, intraOpThreads: 1, onWarning: () => undefined });
  executor = new Executor({ runtime, models: new ModelStore(models), inputs: new InputStore([]), nodes: allNodes() });
});
afterAll(async () => {
  await runtime.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });

function graph(withRefiner: boolean, sampler: Record<string, unknown> = {}) {
  return {
    version: 1,
    nodes: [
      { id: 'unet', type: 'unet_loader', params: { unet_name: 'toy-unet.onnx' } },
      { id: 'clip', type: 'clip_loader', params: { clip_name: 'toy-clip.onnx' } },
      { id: 'vae', type: 'vae_loader', params: { vae_name: 'toy-vae.onnx' } },
      { id: 'refine_model', type: 'refiner_loader', params: { refiner_name: 'toy-refiner.onnx' } },
      { id: 'positive', type: 'text_encoder', params: { text: 'red' } },
      { id: 'negative', type: 'text_encoder', params: { text: '' } },
      { id: 'latent', type: 'empty_latent', params: { width: 16, height: 16 } },
      { id: 'sampler', type: 'sampler', params: { steps: 10, cfg: 1, sampler: 'ddim', ...sampler } },
      { id: 'refiner', type: 'refiner', params: { steps: 10, cfg: 1, sampler: 'ddim', start_at: 0.7 } },
      { id: 'decode', type: 'vae_decode', params: {} },
      { id: 'save', type: 'save_image', params: {} },
    ],
    edges: [
      edge('clip', 'clip', 'positive', 'clip'), edge('clip', 'clip', 'negative', 'clip'),
      edge('unet', 'model', 'sampler', 'model'), edge('positive', 'conditioning', 'sampler', 'positive'),
      edge('negative', 'conditioning', 'sampler', 'negative'), edge('latent', 'latent', 'sampler', 'latent'),
      ...(withRefiner
        ? [edge('refine_model', 'refiner', 'refiner', 'refiner'), edge('positive', 'conditioning', 'refiner', 'positive'),
          edge('negative', 'conditioning', 'refiner', 'negative'), edge('sampler', 'latent', 'refiner', 'latent'),
          edge('refiner', 'latent', 'decode', 'latent')]
        : [edge('sampler', 'latent', 'decode', 'latent')]),
      edge('vae', 'vae', 'decode', 'vae'), edge('decode', 'image', 'save', 'images'),
    ],
  };
}

describe('loose model loaders', () => {
  it('assemble a working pipeline with SD1.5 defaults and sidecar settings', async () => {
    const r = await executor.run(graph(false), { runId: 'l1' });
    expect(r.status).toBe('succeeded');
    const unet = r.values.get('unet')!.model as UNetModel;
    expect(unet.schedulerConfig).toMatchObject({ beta_schedule: 'scaled_linear', steps_offset: 1 });
    expect(unet.latentRgb).toEqual(SD15_LATENT_RGB);
    expect((r.values.get('vae')!.vae as VaeModel).scalingFactor).toBe(0.5);
    // red 0.4 / 0.5 scaling -> 0.8 -> 0.9 in [0, 1]
    const image = r.values.get('decode')!.image as { data: Float32Array };
    expect(Math.abs(image.data[0] - 0.9)).toBeLessThan(0.08);
  });

  it('the refiner finishes a base run handed over with leftover noise like the base would have', async () => {
    const events: RunEvent[] = [];
    const full = await executor.run(graph(false, { seed: 3 }), { runId: 'l2' });
    const split = await executor.run(graph(true, { seed: 3, end_step: 7, return_leftover_noise: true }), { runId: 'l3', onEvent: (e) => events.push(e) });
    expect(split.status).toBe('succeeded');
    const refiner = split.values.get('refine_model')!.refiner as RefinerModel;
    expect(refiner.latentRgb.factors[0]).toEqual([1, 0, 0]);
    expect(events.filter((e) => e.type === 'node:progress' && e.nodeId === 'refiner')).toHaveLength(3);
    const a = full.values.get('decode')!.image as { data: Float32Array };
    const b = split.values.get('decode')!.image as { data: Float32Array };
    for (let i = 0; i < a.data.length; i += 37) expect(b.data[i]).toBeCloseTo(a.data[i], 4);
  });

  it('the refiner re-noises a clean latent to start_at', async () => {
    const events: RunEvent[] = [];
    const r = await executor.run(graph(true, { seed: 4 }), { runId: 'l4', onEvent: (e) => events.push(e) });
    expect(r.status).toBe('succeeded');
    expect(events.filter((e) => e.type === 'node:progress' && e.nodeId === 'refiner').map((e) => (e as { total: number }).total)).toEqual([3, 3, 3]);
    const image = r.values.get('decode')!.image as { data: Float32Array };
    expect(Math.abs(image.data[0] - 0.9)).toBeLessThan(0.08);
  });
});
