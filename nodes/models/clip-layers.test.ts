// CLIP skip on the pack's tiny-sd text encoder (two layers, hidden_states.0-2 outputs, a final norm with its own
// scale and shift), generated into a temporary folder: -1 is the normal output, -2 the final norm of layer 1's output.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../engine/executor';
import { getInitializerFloat32, readModel } from '../onnx/model-io';
import { writeSpritesCheckpoint, SPRITES_CHECKPOINT } from '../pack/checkpoint';
import { writeTinySd, TINY_SD_CHECKPOINT } from '../pack/tiny-sd/part';
import { InputStore } from '../runtime/inputs';
import { ModelStore } from '../runtime/models';
import { OnnxRuntime } from '../runtime/onnx';
import type { ConditioningValue } from '../values';
import { loadCheckpoint } from './checkpoint';
import { allNodes } from './testing/model-nodes';

let models: string;
let runtime: OnnxRuntime;

beforeAll(async () => {
  models = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-clip-skip-'));
  await writeTinySd(models);
  await writeSpritesCheckpoint(models);
  runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 30, intraOpThreads: 1, onWarning: () => undefined });
}, 60_000);
afterAll(async () => {
  await runtime.dispose();
  fs.rmSync(models, { recursive: true, force: true });
});

const PROMPT = 'a watercolor fox in the snow';
const DIM = 32;

/** Layer norm over rows of DIM, written out here in float64 rather than taken from clip-layers.ts. */
function referenceLayerNorm(x: Float32Array, weight: Float32Array, bias: Float32Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / DIM; r++) {
    const row = Array.from(x.subarray(r * DIM, (r + 1) * DIM));
    const mean = row.reduce((a, v) => a + v, 0) / DIM;
    const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / DIM;
    row.forEach((v, k) => (out[r * DIM + k] = ((v - mean) / Math.sqrt(variance + 1e-5)) * weight[k] + bias[k]));
  }
  return out;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('CLIP skip on the tiny-sd text encoder', () => {
  it('-1 is the normal output exactly; -2 is the final layer norm of the penultimate hidden state', async () => {
    const { clip } = await loadCheckpoint(runtime, path.join(models, TINY_SD_CHECKPOINT));
    // The model's own outputs for the prompt's tokens.
    const ids = clip.tokenizer.encodeWeighted(PROMPT).chunks[0].ids;
    const out = await clip.session.run({ input_ids: { data: Int32Array.from(ids), dims: [1, ids.length] } });
    expect(Object.keys(out).filter((k) => k.startsWith('hidden_states.')).sort()).toEqual(['hidden_states.0', 'hidden_states.1', 'hidden_states.2']);
    const file = path.join(models, TINY_SD_CHECKPOINT, 'text_encoder', 'model.onnx');
    const model = readModel(fs.readFileSync(file));
    const weight = getInitializerFloat32(model, 'text_model.final_layer_norm.weight');
    const bias = getInitializerFloat32(model, 'text_model.final_layer_norm.bias');
    expect(maxDiff(weight, new Float32Array(DIM).fill(1))).toBeGreaterThan(0.1); // a real scale, not the identity
    // The reference norm reproduces the model's own last layer: last_hidden_state = norm(hidden_states.2).
    const last = out.last_hidden_state.data as Float32Array;
    expect(maxDiff(referenceLayerNorm(out['hidden_states.2'].data as Float32Array, weight, bias), last)).toBeLessThan(1e-5);

    const normal = await clip.encode(PROMPT);
    const skip1 = await clip.withLastLayer(-1).encode(PROMPT);
    expect(Buffer.from(skip1.embeddings.data.buffer).equals(Buffer.from(normal.embeddings.data.buffer))).toBe(true);
    expect(Buffer.from(normal.embeddings.data.buffer).equals(Buffer.from(last.buffer, last.byteOffset, last.byteLength))).toBe(true);

    const skip2 = await clip.withLastLayer(-2).encode(PROMPT);
    expect(skip2.embeddings.dims).toEqual([1, 77, DIM]);
    const expected = referenceLayerNorm(out['hidden_states.1'].data as Float32Array, weight, bias);
    expect(maxDiff(skip2.embeddings.data, expected)).toBeLessThan(1e-5);
    expect(maxDiff(skip2.embeddings.data, normal.embeddings.data)).toBeGreaterThan(0.5);
  });

  it('names the file and the layer when the encoder has no such layer or no per-layer outputs', async () => {
    const tiny = await loadCheckpoint(runtime, path.join(models, TINY_SD_CHECKPOINT));
    expect(() => tiny.clip.withLastLayer(-3)).toThrow(expect.objectContaining({
      code: 'clip_layer',
      message: expect.stringMatching(/tiny-sd\/text_encoder\/model\.onnx: this text encoder has 2 layers, so it cannot stop at layer -3; use -1 … -2/),
    }));
    const sprites = await loadCheckpoint(runtime, path.join(models, SPRITES_CHECKPOINT));
    expect(() => sprites.clip.withLastLayer(-2)).toThrow(/sprites\/text_encoder\/model\.onnx: this text encoder exposes no per-layer hidden states .* cannot stop at layer -2/);
  });

  it('runs as the CLIP Set Last Layer node, and the prompt cache keeps the layers apart', async () => {
    const ex = new Executor({ runtime, models: new ModelStore(models), inputs: new InputStore([]), nodes: allNodes(), cacheBytes: 0 });
    const graph = (layer: number) => ({
      version: 1,
      nodes: [
        { id: 'load', type: 'checkpoint_loader', params: { ckpt_name: 'tiny-sd' } },
        { id: 'skip', type: 'clip_set_last_layer', params: { stop_at_clip_layer: layer } },
        { id: 'prompt', type: 'text_encoder', params: { text: PROMPT } },
      ],
      edges: [
        { from: { node: 'load', output: 'clip' }, to: { node: 'skip', input: 'clip' } },
        { from: { node: 'skip', output: 'clip' }, to: { node: 'prompt', input: 'clip' } },
      ],
    });
    const encode = async (layer: number) => {
      const r = await ex.run(graph(layer), { runId: `skip${layer}`, targets: ['prompt'] });
      expect(r.error).toBeUndefined();
      return { c: r.values.get('prompt')!.conditioning as ConditioningValue, counts: r.promptCache };
    };
    const a = await encode(-1);
    const b = await encode(-2);
    expect(b.counts).toEqual({ hits: 0, misses: 1 }); // not answered with layer -1's entry
    const { clip } = await loadCheckpoint(runtime, path.join(models, TINY_SD_CHECKPOINT));
    expect(Buffer.from(b.c.embeddings.data.buffer).equals(Buffer.from((await clip.withLastLayer(-2).encode(PROMPT)).embeddings.data.buffer))).toBe(true);
    expect(maxDiff(a.c.embeddings.data, b.c.embeddings.data)).toBeGreaterThan(0.5);
    expect((await encode(-2)).counts).toEqual({ hits: 1, misses: 0 });

    const r = await ex.run(graph(-5), { runId: 'skip-5', targets: ['prompt'] });
    expect(r.error).toMatchObject({ nodeId: 'skip', code: 'clip_layer' });
  });
});
