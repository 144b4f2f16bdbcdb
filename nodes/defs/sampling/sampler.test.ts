// The model nodes end to end through the Executor, on the closed-form toy checkpoint.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../../engine/executor';
import type { RunEvent } from '../../engine/events';
import type { DebugController } from '../../engine/debug';
import { OnnxRuntime } from '../../runtime/onnx';
import { ModelStore } from '../../runtime/models';
import { InputStore } from '../../runtime/inputs';
import { allNodes } from '../../models/testing/model-nodes';
import { writeToyCheckpoint } from '../../models/testing/toy-checkpoint';
import type { LatentValue } from '../../values';

let tmp: string;
let runtime: OnnxRuntime;
let executor: Executor;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-sampler-'));
  writeToyCheckpoint(path.join(tmp, 'models', 'checkpoints', 'toy'));
  fs.mkdirSync(path.join(tmp, 'inputs'));
  runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 30, intraOpThreads: 1, onWarning: () => undefined });
  executor = new Executor({ runtime, models: new ModelStore(path.join(tmp, 'models')), inputs: new InputStore([path.join(tmp, 'inputs')]), nodes: allNodes() });
});
afterAll(async () => {
  await runtime.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });

function txt2img(sampler: Record<string, unknown> = {}, latent: Record<string, unknown> = {}) {
  return {
    version: 1,
    nodes: [
      { id: 'checkpoint', type: 'checkpoint_loader', params: { ckpt_name: 'toy' } },
      { id: 'positive', type: 'text_encoder', params: { text: 'green' } },
      { id: 'negative', type: 'text_encoder', params: { text: '' } },
      { id: 'latent', type: 'empty_latent', params: { width: 32, height: 32, ...latent } },
      { id: 'sampler', type: 'sampler', params: { steps: 8, cfg: 2, sampler: 'euler', ...sampler } },
      { id: 'decode', type: 'vae_decode', params: {} },
      { id: 'save', type: 'save_image', params: {} },
    ],
    edges: [
      edge('checkpoint', 'clip', 'positive', 'clip'), edge('checkpoint', 'clip', 'negative', 'clip'),
      edge('checkpoint', 'model', 'sampler', 'model'), edge('positive', 'conditioning', 'sampler', 'positive'),
      edge('negative', 'conditioning', 'sampler', 'negative'), edge('latent', 'latent', 'sampler', 'latent'),
      edge('sampler', 'latent', 'decode', 'latent'), edge('checkpoint', 'vae', 'decode', 'vae'),
      edge('decode', 'image', 'save', 'images'),
    ],
  };
}

describe('txt2img graph on the toy checkpoint', () => {
  it('produces the guided colour, with progress, previews and debugger hooks per step', async () => {
    const events: RunEvent[] = [];
    const before: number[] = [];
    const after: number[] = [];
    const debug: DebugController = {
      beforeStep: async (_n, s) => void before.push(s.step),
      afterStep: async (_n, s) => void after.push(s.step),
    };
    const r = await executor.run(txt2img(), { runId: 'r1', onEvent: (e) => events.push(e), wantsPreview: () => true, debug });
    expect(r.status).toBe('succeeded');
    const image = r.values.get('decode')!.image as { data: Float32Array; dims: number[] };
    expect(image.dims).toEqual([1, 3, 32, 32]);
    // latent G = 2 * 0.4 = 0.8 -> decoder (0.8 / 0.5) = 1.6 -> clamps to 1; R and B stay 0.5
    expect(image.data[32 * 32 + 100]).toBeCloseTo(1, 2);
    expect(image.data[100]).toBeCloseTo(0.5, 2);
    const progress = events.filter((e) => e.type === 'node:progress' && e.nodeId === 'sampler');
    expect(progress.map((e) => (e as { step: number }).step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(events.filter((e) => e.type === 'node:preview')).toHaveLength(8);
    expect(before).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(after).toEqual(before);
    const summary = events.find((e) => e.type === 'node:finished' && e.nodeId === 'checkpoint') as { outputs: { summary: string }[] };
    expect(summary.outputs.map((o) => o.summary)).toEqual(['MODEL toy (cpu)', 'CLIP toy (cpu)', 'VAE toy (cpu)']);
  });

  it('skips preview work when nobody watches and caches the loader', async () => {
    const events: RunEvent[] = [];
    const r = await executor.run(txt2img({ seed: 5 }), { runId: 'r2', onEvent: (e) => events.push(e) });
    expect(r.status).toBe('succeeded');
    expect(events.some((e) => e.type === 'node:preview')).toBe(false);
    expect(r.nodes.find((n) => n.id === 'checkpoint')!.cached).toBe(true);
  });

  it('cancels between steps', async () => {
    const ac = new AbortController();
    const r = await executor.run(txt2img({ seed: 6 }), {
      runId: 'r3', signal: ac.signal,
      onEvent: (e) => { if (e.type === 'node:progress' && e.nodeId === 'sampler' && e.step === 2) ac.abort('user stop'); },
    });
    expect(r.status).toBe('cancelled');
    expect(r.error?.nodeId).toBe('sampler');
  });

  it('hands leftover noise on and warns when such a latent is decoded', async () => {
    const events: RunEvent[] = [];
    const r = await executor.run(txt2img({ seed: 7, end_step: 4, return_leftover_noise: true }), { runId: 'r4', onEvent: (e) => events.push(e) });
    expect(r.status).toBe('succeeded');
    const latent = r.values.get('sampler')!.latent as LatentValue;
    expect(latent.leftoverNoise).toBe(true);
    expect(latent.schedule).toEqual({ steps: 8, endStep: 4 });
    expect(latent.sigma).toBeGreaterThan(0.1);
    expect(events.some((e) => e.type === 'node:warning' && e.nodeId === 'decode' && /still carries noise/.test(e.message))).toBe(true);
  });

  it('samples a batch: one image per latent item, each with its own noise', async () => {
    const r = await executor.run(txt2img({ seed: 9, end_step: 3, return_leftover_noise: true }, { batch_size: 2 }), { runId: 'r9', targets: ['sampler'] });
    const latent = r.values.get('sampler')!.latent as LatentValue;
    expect(latent.samples.dims).toEqual([2, 4, 4, 4]);
    const per = 4 * 4 * 4;
    expect(Array.from(latent.samples.data.subarray(0, per))).not.toEqual(Array.from(latent.samples.data.subarray(per)));
    const full = await executor.run(txt2img({ seed: 9 }, { batch_size: 2 }), { runId: 'r10' });
    expect(full.artifacts.map((a) => a.filename)).toEqual(['stepflow_000.png', 'stepflow_001.png']);
  });

  it('reports an adaptive stop', async () => {
    const events: RunEvent[] = [];
    const r = await executor.run(txt2img({ steps: 30, sampler: 'ddim', adaptive: 'auto' }), { runId: 'r5', onEvent: (e) => events.push(e) });
    expect(r.status).toBe('succeeded');
    const warning = events.find((e) => e.type === 'node:warning' && e.nodeId === 'sampler') as { message: string } | undefined;
    expect(warning?.message).toMatch(/converged after \d+ of 30 steps/);
  });

  it('rejects a schedule the sampler cannot use and a size that is not a multiple of 8', async () => {
    const bad = await executor.run(txt2img({ sampler: 'ddim', scheduler: 'karras' }), { runId: 'r6' });
    expect(bad.status).toBe('failed');
    expect(bad.error).toMatchObject({ nodeId: 'sampler', code: 'param_invalid' });
    const odd = await executor.run(txt2img({}, { width: 36 }), { runId: 'r7' });
    expect(odd.error).toMatchObject({ nodeId: 'latent', code: 'param_invalid' });
    expect(odd.error?.message).toMatch(/multiple of 8; use 40/);
  });

  it('names the available checkpoints for an unknown one', async () => {
    const g = txt2img();
    g.nodes[0].params = { ckpt_name: 'nope' };
    const r = await executor.run(g, { runId: 'r8' });
    expect(r.error?.code).toBe('invalid_graph');
    expect(r.error?.message).toMatch(/no checkpoints model named "nope"/);
  });
});

describe('img2img graph on the toy checkpoint', () => {
  function img2img(width: number, denoise: number) {
    return {
      version: 1,
      nodes: [
        { id: 'checkpoint', type: 'checkpoint_loader', params: { ckpt_name: 'toy' } },
        { id: 'image', type: 'solid_color', params: { width, height: 16, color: '#ff0000' } },
        { id: 'encode', type: 'vae_encode', params: {} },
        { id: 'positive', type: 'text_encoder', params: { text: 'blue' } },
        { id: 'negative', type: 'text_encoder', params: { text: '' } },
        { id: 'sampler', type: 'sampler', params: { steps: 10, cfg: 1, sampler: 'ddim', denoise } },
        { id: 'decode', type: 'vae_decode', params: {} },
        { id: 'save', type: 'save_image', params: {} },
      ],
      edges: [
        edge('image', 'image', 'encode', 'image'), edge('checkpoint', 'vae', 'encode', 'vae'),
        edge('checkpoint', 'clip', 'positive', 'clip'), edge('checkpoint', 'clip', 'negative', 'clip'),
        edge('checkpoint', 'model', 'sampler', 'model'), edge('positive', 'conditioning', 'sampler', 'positive'),
        edge('negative', 'conditioning', 'sampler', 'negative'), edge('encode', 'latent', 'sampler', 'latent'),
        edge('sampler', 'latent', 'decode', 'latent'), edge('checkpoint', 'vae', 'decode', 'vae'),
        edge('decode', 'image', 'save', 'images'),
      ],
    };
  }

  it('encodes the image, keeps it at denoise 0 and replaces it at denoise 1', async () => {
    const keep = await executor.run(img2img(16, 0), { runId: 'i1' });
    expect(keep.status).toBe('succeeded');
    const kept = keep.values.get('decode')!.image as { data: Float32Array };
    expect(kept.data[0]).toBeCloseTo(1, 5);
    expect(kept.data[256]).toBeCloseTo(0, 5);
    const events: RunEvent[] = [];
    const redo = await executor.run(img2img(16, 0.5), { runId: 'i2', onEvent: (e) => events.push(e) });
    const progress = events.filter((e) => e.type === 'node:progress' && e.nodeId === 'sampler');
    expect(progress.length).toBe(5);
    // The toy model's x0 is the prompt's colour whatever the input: blue 0.4 -> (0.4 / 0.5) / 2 + 0.5 = 0.9,
    // red back to 0.5, give or take DDIM's last ~3 % of noise.
    const redone = redo.values.get('decode')!.image as { data: Float32Array };
    expect(Math.abs(redone.data[2 * 256] - 0.9)).toBeLessThan(0.08);
    expect(Math.abs(redone.data[0] - 0.5)).toBeLessThan(0.08);
  });

  it('says what to do with an image that is not a multiple of 8', async () => {
    const r = await executor.run(img2img(20, 0.5), { runId: 'i3' });
    expect(r.error).toMatchObject({ nodeId: 'encode', code: 'image_size' });
    expect(r.error?.message).toMatch(/Resize Image node .* 24x16/);
  });
});
