// SDXL's two text encoders as ComfyUI's SDXLClipModel drives them, on the tiny SDXL base (2-layer encoders of widths
// 16 and 24): CLIP Set Last Layer moves both encoders (default -2, raw hidden states), `embedding:name` puts an SDXL
// embedding's clip_l vectors in CLIP-L and clip_g in CLIP-G, and Text Encoder (SDXL)'s text_l / text go to CLIP-L /
// CLIP-G, with empty windows evening out their lengths. Checked against the encoders' own outputs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../engine/executor';
import { outputFloat32 } from '../onnx/feeds';
import { getInitializerFloat32, readModel, setInitializerFloat32, writeModel } from '../onnx/model-io';
import { TINY_SDXL_CHECKPOINT, TINY_SDXL_DIM_1, TINY_SDXL_DIM_2, TINY_SDXL_REFINER, writeTinySdxl } from '../pack/tiny-sdxl/part';
import { InputStore } from '../runtime/inputs';
import { ModelStore } from '../runtime/models';
import { OnnxRuntime } from '../runtime/onnx';
import { writeSafetensors } from '../runtime/safetensors';
import type { Tensor } from '../runtime/tensor';
import type { ConditioningValue } from '../values';
import { OnnxClip } from './clip';
import { readTextualInversion } from './embeddings';
import { SdxlClip } from './sdxl-clip';
import { loadSdxlCheckpoint, type LoadedSdxlCheckpoint } from './sdxl-checkpoint';
import { allNodes } from './testing/model-nodes';

const D1 = TINY_SDXL_DIM_1;
const D2 = TINY_SDXL_DIM_2;
const EMBEDDING = 'embeddings/tiny-sdxl-style.safetensors';
const TABLE = 'text_model.embeddings.token_embedding.weight';

let models: string;
let runtime: OnnxRuntime;
let base: LoadedSdxlCheckpoint;
/** The embedding file's two vectors per encoder (distinct values per encoder, so a swap cannot pass). */
const vectors = { clip_l: Float32Array.from({ length: 2 * D1 }, (_, i) => Math.sin(i * 0.7) * 0.05), clip_g: Float32Array.from({ length: 2 * D2 }, (_, i) => Math.cos(i * 0.3) * 0.05) };

beforeAll(async () => {
  models = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-sdxl-clip-'));
  await writeTinySdxl(models);
  fs.mkdirSync(path.join(models, 'embeddings'));
  writeSafetensors(path.join(models, EMBEDDING), { clip_l: { shape: [2, D1], data: vectors.clip_l }, clip_g: { shape: [2, D2], data: vectors.clip_g } });
  runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 30, intraOpThreads: 1, onWarning: () => undefined });
  base = await loadSdxlCheckpoint(runtime, path.join(models, TINY_SDXL_CHECKPOINT));
}, 120_000);
afterAll(async () => {
  await runtime?.dispose();
  if (models) fs.rmSync(models, { recursive: true, force: true });
});

const PROMPT = 'a lighthouse at dusk';
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const same = (a: Float32Array, b: Float32Array) => bytes(a).equals(bytes(b));

/** CLIP-L's ([0, D1)) or CLIP-G's ([D1, D1 + D2)) features of every token of a [1, T, D1 + D2] conditioning. */
function part(t: Tensor, which: 'l' | 'g'): Float32Array {
  const [from, width] = which === 'l' ? [0, D1] : [D1, D2];
  const d = D1 + D2;
  return Float32Array.from({ length: t.dims[1] * width }, (_, i) => t.data[Math.floor(i / width) * d + from + (i % width)]);
}

/** An encoder's own output for one 77-token window of `prompt`. */
async function raw(clip: OnnxClip, prompt: string, output: string): Promise<Float32Array> {
  const ids = clip.tokenizer.encodeWeighted(prompt).chunks[0].ids;
  const out = await clip.session.run({ input_ids: { data: Int32Array.from(ids), dims: [1, ids.length] } });
  return outputFloat32(out[output]);
}

describe('SDXL CLIP skip (CLIP Set Last Layer on both encoders)', () => {
  it('defaults to the penultimate layer; -1 reads each encoder\'s last layer before its final norm; the pooled output stays the last layer\'s', async () => {
    const plain = await base.clip.encode(PROMPT);
    const first = base.clip.first!;
    // Two layers: hidden_states.1 is the penultimate output, hidden_states.2 the last one (before final_layer_norm).
    expect(same(part(plain.embeddings, 'l'), await raw(first, PROMPT, 'hidden_states.1'))).toBe(true);
    const skip2 = await base.clip.withLastLayer(-2).encode(PROMPT);
    expect(same(skip2.embeddings.data, plain.embeddings.data)).toBe(true);

    const last = await base.clip.withLastLayer(-1).encode(PROMPT);
    expect(last.embeddings.dims).toEqual([1, 77, D1 + D2]);
    expect(same(part(last.embeddings, 'l'), await raw(first, PROMPT, 'hidden_states.2'))).toBe(true);
    expect(same(part(last.embeddings, 'g'), await raw(base.clip.second, PROMPT, 'hidden_states.2'))).toBe(true);
    // Not the normed last_hidden_state (ComfyUI's SDXL encoders keep layer_norm_hidden_state off) ...
    expect(same(part(last.embeddings, 'g'), await raw(base.clip.second, PROMPT, 'last_hidden_state'))).toBe(false);
    // ... and not the default either.
    expect(same(part(last.embeddings, 'g'), part(plain.embeddings, 'g'))).toBe(false);
    expect(same(last.pooled!.data, plain.pooled!.data)).toBe(true);
    expect(() => base.clip.withLastLayer(-3)).toThrow(expect.objectContaining({ code: 'clip_layer', message: expect.stringMatching(/text_encoder\/model\.onnx: this text encoder has 2 layers/) }));
  });

  it('runs as the CLIP Set Last Layer node on an SDXL checkpoint and on the refiner', async () => {
    const ex = new Executor({ runtime, models: new ModelStore(models), inputs: new InputStore([]), nodes: allNodes(), cacheBytes: 0 });
    const encode = async (ckpt: string, layer: number | undefined) => {
      const nodes = [{ id: 'load', type: 'checkpoint_loader', params: { ckpt_name: ckpt } }, { id: 'prompt', type: 'text_encoder_sdxl', params: { text: PROMPT } }];
      const edges = [{ from: { node: 'load', output: 'clip' }, to: { node: 'prompt', input: 'clip' } }];
      if (layer !== undefined) {
        nodes.push({ id: 'skip', type: 'clip_set_last_layer', params: { stop_at_clip_layer: layer } as never });
        edges[0] = { from: { node: 'load', output: 'clip' }, to: { node: 'skip', input: 'clip' } };
        edges.push({ from: { node: 'skip', output: 'clip' }, to: { node: 'prompt', input: 'clip' } });
      }
      const r = await ex.run({ version: 1, nodes, edges }, { runId: `skip-${ckpt}-${layer}`, targets: ['prompt'] });
      expect(r.error).toBeUndefined();
      return (r.values.get('prompt')!.conditioning as ConditioningValue).embeddings.data;
    };
    expect(same(await encode('tiny-sdxl', -2), await encode('tiny-sdxl', undefined))).toBe(true);
    expect(same(await encode('tiny-sdxl', -1), (await base.clip.withLastLayer(-1).encode(PROMPT)).embeddings.data)).toBe(true);
    const refiner = await loadSdxlCheckpoint(runtime, path.join(models, TINY_SDXL_REFINER));
    expect(same(await encode('tiny-sdxl-refiner', -1), await raw(refiner.clip.second, PROMPT, 'hidden_states.2'))).toBe(true);
  });
});

describe('SDXL textual-inversion embeddings', () => {
  it('clip_l vectors go into CLIP-L\'s token table and clip_g into CLIP-G\'s', async () => {
    /** The encoder with the rows of "cat" and "dog" overwritten by the two vectors: what the embedding must equal. */
    const edited = async (clip: OnnxClip, v: Float32Array, dim: number) => {
      const [cat] = clip.tokenizer.encode('cat');
      const [dog] = clip.tokenizer.encode('dog');
      const model = readModel(fs.readFileSync(clip.file));
      const table = getInitializerFloat32(model, TABLE);
      table.set(v.subarray(0, dim), cat * dim);
      table.set(v.subarray(dim), dog * dim);
      setInitializerFloat32(model, TABLE, table);
      return new OnnxClip(await runtime.session(`edited:${clip.file}`, { bytes: writeModel(model) }), clip.tokenizer, clip.info);
    };
    const reference = new SdxlClip(await edited(base.clip.first!, vectors.clip_l, D1), await edited(base.clip.second, vectors.clip_g, D2));
    const withTi = await base.clip.withEmbeddings(runtime, [readTextualInversion('tiny-sdxl-style', path.join(models, EMBEDDING))]);
    const got = await withTi.encode('a embedding:tiny-sdxl-style fox');
    expect(got.tokens.map((t) => t.text)).toEqual(['a', 'embedding:tiny-sdxl-style', 'embedding:tiny-sdxl-style', 'fox']);
    const want = await reference.encode('a cat dog fox');
    expect(same(got.embeddings.data, want.embeddings.data)).toBe(true);
    expect(same(got.pooled!.data, want.pooled!.data)).toBe(true);
    // With the vectors given to the wrong places, it would differ.
    expect(same(got.embeddings.data, (await reference.encode('a dog cat fox')).embeddings.data)).toBe(false);
    expect(same(got.embeddings.data, (await base.clip.encode('a fox')).embeddings.data)).toBe(false);
  });

  it('an embedding without clip_g vectors of CLIP-G\'s width names its file; unequal counts are refused', async () => {
    const sd15Style = path.join(models, 'embeddings', 'sd15-style.safetensors');
    writeSafetensors(sd15Style, { emb_params: { shape: [1, D1], data: new Float32Array(D1).fill(0.01) } });
    await expect(base.clip.withEmbeddings(runtime, [readTextualInversion('sd15-style', sd15Style)]))
      .rejects.toThrow(/sd15-style\.safetensors.*width 16, but this text encoder's tokens have width 24/);
    const uneven = path.join(models, 'embeddings', 'uneven.safetensors');
    writeSafetensors(uneven, { clip_l: { shape: [1, D1], data: new Float32Array(D1) }, clip_g: { shape: [2, D2], data: new Float32Array(2 * D2) } });
    await expect(base.clip.withEmbeddings(runtime, [readTextualInversion('uneven', uneven)])).rejects.toThrow(/uneven\.safetensors.*1 CLIP-L vectors but 2 CLIP-G vectors/);
  });

  it('runs through Text Encoder (SDXL) with the embedding file among the node\'s files', async () => {
    const ex = new Executor({ runtime, models: new ModelStore(models), inputs: new InputStore([]), nodes: allNodes(), cacheBytes: 0 });
    const r = await ex.run({
      version: 1,
      nodes: [{ id: 'load', type: 'checkpoint_loader', params: { ckpt_name: 'tiny-sdxl' } }, { id: 'prompt', type: 'text_encoder_sdxl', params: { text: 'a embedding:tiny-sdxl-style fox' } }],
      edges: [{ from: { node: 'load', output: 'clip' }, to: { node: 'prompt', input: 'clip' } }],
    }, { runId: 'ti-sdxl', targets: ['prompt'] });
    expect(r.error).toBeUndefined();
    const withTi = await base.clip.withEmbeddings(runtime, [readTextualInversion('tiny-sdxl-style', path.join(models, EMBEDDING))]);
    expect(same((r.values.get('prompt')!.conditioning as ConditioningValue).embeddings.data, (await withTi.encode('a embedding:tiny-sdxl-style fox')).embeddings.data)).toBe(true);
    const def = allNodes().find((n) => n.type === 'text_encoder_sdxl')!;
    expect(def.files!({ text: 'x', text_l: 'embedding:tiny-sdxl-style' } as never, { models: new ModelStore(models) } as never)).toEqual([path.join(models, EMBEDDING)]);
  });
});

describe('SDXL text_l and text_g', () => {
  it('CLIP-L reads text_l and CLIP-G text_g (its pooled output too)', async () => {
    const c = await base.clip.encodeSdxl('a red boat', 'a lighthouse at dusk');
    expect(c.embeddings.dims).toEqual([1, 77, D1 + D2]);
    expect(same(part(c.embeddings, 'l'), await raw(base.clip.first!, 'a lighthouse at dusk', 'hidden_states.1'))).toBe(true);
    expect(same(part(c.embeddings, 'g'), await raw(base.clip.second, 'a red boat', 'hidden_states.1'))).toBe(true);
    expect(same(c.pooled!.data, await raw(base.clip.second, 'a red boat', 'text_embeds'))).toBe(true);
    // encode(p) is encodeSdxl(p, p).
    expect(same((await base.clip.encode('a red boat')).embeddings.data, (await base.clip.encodeSdxl('a red boat', 'a red boat')).embeddings.data)).toBe(true);
  });

  it('evens out unequal window counts with empty-prompt windows, as ComfyUI\'s CLIPTextEncodeSDXL', async () => {
    const long = 'a very long prompt, '.repeat(20); // two windows
    const c = await base.clip.encodeSdxl('a red boat', long);
    expect(c.embeddings.dims).toEqual([1, 154, D1 + D2]);
    const g = part(c.embeddings, 'g');
    expect(same(g.subarray(0, 77 * D2), await raw(base.clip.second, 'a red boat', 'hidden_states.1'))).toBe(true);
    expect(same(g.subarray(77 * D2), await raw(base.clip.second, '', 'hidden_states.1'))).toBe(true);
    expect(same(part(c.embeddings, 'l'), (await base.clip.first!.encode(long)).embeddings.data)).toBe(true);
  });

  it('Text Encoder (SDXL) feeds text_l to CLIP-L; an empty text_l (old graphs) feeds the prompt to both', async () => {
    const ex = new Executor({ runtime, models: new ModelStore(models), inputs: new InputStore([]), nodes: allNodes(), cacheBytes: 0 });
    const encode = async (params: Record<string, unknown>, ckpt = 'tiny-sdxl') => {
      const r = await ex.run({
        version: 1,
        nodes: [{ id: 'load', type: 'checkpoint_loader', params: { ckpt_name: ckpt } }, { id: 'prompt', type: 'text_encoder_sdxl', params }],
        edges: [{ from: { node: 'load', output: 'clip' }, to: { node: 'prompt', input: 'clip' } }],
      }, { runId: `tl-${Math.random()}`, targets: ['prompt'] });
      expect(r.error).toBeUndefined();
      return { c: r.values.get('prompt')!.conditioning as ConditioningValue };
    };
    const split = await encode({ text: 'a red boat', text_l: 'a lighthouse at dusk' });
    expect(same(split.c.embeddings.data, (await base.clip.encodeSdxl('a red boat', 'a lighthouse at dusk')).embeddings.data)).toBe(true);
    const old = await encode({ text: 'a red boat' });
    expect(same(old.c.embeddings.data, (await base.clip.encode('a red boat')).embeddings.data)).toBe(true);
    expect(same(old.c.embeddings.data, split.c.embeddings.data)).toBe(false);
    // The refiner has no CLIP-L: text_l is ignored, with a warning.
    const refiner = await encode({ text: 'a red boat', text_l: 'a lighthouse' }, 'tiny-sdxl-refiner');
    expect(same(refiner.c.embeddings.data, (await encode({ text: 'a red boat' }, 'tiny-sdxl-refiner')).c.embeddings.data)).toBe(true);
  });
});
