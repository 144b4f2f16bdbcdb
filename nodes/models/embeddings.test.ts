// Textual inversion on the pack's tiny-sd text encoder and its demo embedding (generated into a temporary folder):
// `embedding:tiny-sd-demo` encodes exactly like two ordinary tokens whose table rows hold the same vectors.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../engine/executor';
import { getInitializerFloat32, readModel, setInitializerFloat32, writeModel } from '../onnx/model-io';
import { writeTinySd, TINY_SD_CHECKPOINT, TINY_SD_EMBEDDING } from '../pack/tiny-sd/part';
import { InputStore } from '../runtime/inputs';
import { ModelStore } from '../runtime/models';
import { OnnxRuntime } from '../runtime/onnx';
import { readSafetensors } from '../runtime/safetensors';
import type { ConditioningValue } from '../values';
import { loadCheckpoint } from './checkpoint';
import { OnnxClip } from './clip';
import { readTextualInversion } from './embeddings';
import { allNodes } from './testing/model-nodes';

let models: string;
let runtime: OnnxRuntime;

beforeAll(async () => {
  models = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-embeddings-'));
  await writeTinySd(models);
  runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 30, intraOpThreads: 1, onWarning: () => undefined });
}, 60_000);
afterAll(async () => {
  await runtime.dispose();
  fs.rmSync(models, { recursive: true, force: true });
});

const DIM = 32;
const same = (a: ConditioningValue, b: ConditioningValue) => Buffer.from(a.embeddings.data.buffer).equals(Buffer.from(b.embeddings.data.buffer));

describe('textual-inversion embeddings on tiny-sd', () => {
  it('embedding:tiny-sd-demo equals two tokens whose table rows are set to its vectors, at the same place in the prompt', async () => {
    const { clip } = await loadCheckpoint(runtime, path.join(models, TINY_SD_CHECKPOINT));
    const vectors = readSafetensors(path.join(models, TINY_SD_EMBEDDING)).float32('emb_params');
    expect(vectors.length).toBe(2 * DIM);
    // Reference: the encoder with the rows of "cat" and "dog" overwritten by the two vectors.
    const [cat] = clip.tokenizer.encode('cat');
    const [dog] = clip.tokenizer.encode('dog');
    const file = path.join(models, TINY_SD_CHECKPOINT, 'text_encoder', 'model.onnx');
    const model = readModel(fs.readFileSync(file));
    const table = getInitializerFloat32(model, 'text_model.embeddings.token_embedding.weight');
    table.set(vectors.subarray(0, DIM), cat * DIM);
    table.set(vectors.subarray(DIM), dog * DIM);
    setInitializerFloat32(model, 'text_model.embeddings.token_embedding.weight', table);
    const edited = new OnnxClip(await runtime.session('clip-cat-dog', { bytes: writeModel(model) }), clip.tokenizer, { name: 'edited', file });

    const withTi = await clip.withEmbeddings(runtime, [readTextualInversion('tiny-sd-demo', path.join(models, TINY_SD_EMBEDDING))]);
    const got = await withTi.encode('a embedding:tiny-sd-demo fox');
    expect(got.tokens.map((t) => t.text)).toEqual(['a', 'embedding:tiny-sd-demo', 'embedding:tiny-sd-demo', 'fox']);
    expect(same(got, await edited.encode('a cat dog fox'))).toBe(true);
    // It would not match with the vectors swapped, moved, or ignored.
    expect(same(got, await edited.encode('a dog cat fox'))).toBe(false);
    expect(same(got, await edited.encode('a fox cat dog'))).toBe(false);
    expect(same(got, await clip.encode('a fox'))).toBe(false);
    // The .safetensors spelling names the same file.
    const spelled = await clip.withEmbeddings(runtime, [readTextualInversion('tiny-sd-demo.safetensors', path.join(models, TINY_SD_EMBEDDING))]);
    expect(same(await spelled.encode('a embedding:tiny-sd-demo.safetensors fox'), got)).toBe(true);
  });

  it('runs through the Text Encoder node with the embedding file in the prompt-cache key; an unknown name is named', async () => {
    const ex = new Executor({ runtime, models: new ModelStore(models), inputs: new InputStore([]), nodes: allNodes(), cacheBytes: 0 });
    const graph = (text: string) => ({
      version: 1,
      nodes: [{ id: 'load', type: 'checkpoint_loader', params: { ckpt_name: 'tiny-sd' } }, { id: 'prompt', type: 'text_encoder', params: { text } }],
      edges: [{ from: { node: 'load', output: 'clip' }, to: { node: 'prompt', input: 'clip' } }],
    });
    const encode = async (text: string) => {
      const r = await ex.run(graph(text), { runId: `ti-${Math.random()}`, targets: ['prompt'] });
      expect(r.error).toBeUndefined();
      return { c: r.values.get('prompt')!.conditioning as ConditioningValue, counts: r.promptCache };
    };
    const first = await encode('a embedding:tiny-sd-demo fox');
    expect(first.counts).toEqual({ hits: 0, misses: 1 });
    expect((await encode('a embedding:tiny-sd-demo fox')).counts).toEqual({ hits: 1, misses: 0 });
    // Another file under the same name is another key: no stale hit.
    const file = path.join(models, TINY_SD_EMBEDDING);
    fs.writeFileSync(file, fs.readFileSync(file).map((b, i, all) => (i === all.length - 1 ? b ^ 1 : b)));
    const changed = await encode('a embedding:tiny-sd-demo fox');
    expect(changed.counts).toEqual({ hits: 0, misses: 1 });
    expect(same(changed.c, first.c)).toBe(false);

    const r = await ex.run(graph('a embedding:no-such-style fox'), { runId: 'ti-unknown', targets: ['prompt'] });
    expect(r.status).toBe('failed');
    expect(r.error!.message).toContain('no-such-style.safetensors');
  });
});
