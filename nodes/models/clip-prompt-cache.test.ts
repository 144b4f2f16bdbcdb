// The prompt cache through the real text encoders of the built-in pack (sprites, and tiny-sd with its kohya LoRA,
// generated into a temporary folder): a repeated prompt is a hit with bit-identical embeddings, from another graph
// and node id too; another encoder file, LoRA strength, token or emphasis misses; another owner never hits.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../engine/executor';
import { PromptCache } from '../engine/prompt-cache';
import { applyLora } from '../lora/apply';
import { writeSpritesCheckpoint, SPRITES_CHECKPOINT } from '../pack/checkpoint';
import { writeTinySd } from '../pack/tiny-sd/part';
import { InputStore } from '../runtime/inputs';
import { ModelStore } from '../runtime/models';
import { OnnxRuntime } from '../runtime/onnx';
import type { ConditioningValue } from '../values';
import { loadCheckpoint } from './checkpoint';
import { allNodes } from './testing/model-nodes';
import { loraLoader } from '../defs/loaders/lora-loader';

let models: string;
let runtime: OnnxRuntime;

beforeAll(async () => {
  models = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-prompt-cache-'));
  await writeSpritesCheckpoint(models);
  await writeTinySd(models);
  // The sprites encoder again under another name: the key is its content, not its path.
  fs.mkdirSync(path.join(models, 'text_encoders'));
  fs.copyFileSync(path.join(models, SPRITES_CHECKPOINT, 'text_encoder', 'model.onnx'), path.join(models, 'text_encoders', 'sprites-copy.onnx'));
  runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 30, intraOpThreads: 1, onWarning: () => undefined });
}, 60_000);
afterAll(async () => {
  await runtime.dispose();
  fs.rmSync(models, { recursive: true, force: true });
});

const bytesOf = (c: ConditioningValue) => Buffer.from(c.embeddings.data.buffer, c.embeddings.data.byteOffset, c.embeddings.data.byteLength);
const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });

/** A loader and one text encoder, run to the encoder ("run to here": no output node needed). */
function promptGraph(text: string, o: { node?: string; loader?: 'checkpoint' | 'clip' } = {}) {
  const node = o.node ?? 'positive';
  const loader = o.loader === 'clip'
    ? { id: 'load', type: 'clip_loader', params: { clip_name: 'sprites-copy.onnx' } }
    : { id: 'load', type: 'checkpoint_loader', params: { ckpt_name: 'sprites' } };
  return { version: 1, nodes: [loader, { id: node, type: 'text_encoder', params: { text } }], edges: [edge('load', 'clip', node, 'clip')] };
}

function executor(cacheBytes = 0) {
  return new Executor({ runtime, models: new ModelStore(models), inputs: new InputStore([]), nodes: allNodes([loraLoader]), cacheBytes });
}

async function encodeRun(ex: Executor, graph: ReturnType<typeof promptGraph>, scope?: string) {
  const target = graph.nodes[1].id;
  const r = await ex.run(graph, { runId: `r-${Math.random()}`, targets: [target], cacheScope: scope });
  expect(r.error).toBeUndefined();
  return { conditioning: r.values.get(target)!.conditioning as ConditioningValue, counts: r.promptCache, node: r.nodes.find((n) => n.id === target)! };
}

describe('prompt cache on the sprites text encoder', () => {
  it('answers the second identical prompt from the cache with bit-identical embeddings (node cache off)', async () => {
    const ex = executor();
    const first = await encodeRun(ex, promptGraph('a red circle on a blue background'));
    const second = await encodeRun(ex, promptGraph('a red circle on a blue background'));
    expect(first.counts).toEqual({ hits: 0, misses: 1 });
    expect(second.counts).toEqual({ hits: 1, misses: 0 });
    expect(second.node.cached).toBe(false); // the node ran; its encoder session did not
    expect(second.conditioning.embeddings.dims).toEqual([1, 77, first.conditioning.embeddings.dims[2]]);
    expect(bytesOf(second.conditioning).equals(bytesOf(first.conditioning))).toBe(true);
    // Against an encode that never saw a cache: the entry is the encoder's own output.
    const { clip } = await loadCheckpoint(runtime, path.join(models, SPRITES_CHECKPOINT));
    expect(bytesOf(second.conditioning).equals(bytesOf(await clip.encode('a red circle on a blue background')))).toBe(true);
    // Not a constant: another prompt encodes to other values.
    const other = await encodeRun(ex, promptGraph('a green square'));
    expect(other.counts).toEqual({ hits: 0, misses: 1 });
    expect(bytesOf(other.conditioning).equals(bytesOf(first.conditioning))).toBe(false);
    expect(ex.promptCache.totals()).toMatchObject({ hits: 1, misses: 2, entries: 2 });
  });

  it('hits from another workflow, node id and spelling that tokenizes alike, with that call\'s own prompt and tokens', async () => {
    const ex = executor(1024 ** 3); // node cache on: the spelling differs, so the node misses and the prompt cache answers
    const a = await encodeRun(ex, promptGraph('red circle'));
    const b = await encodeRun(ex, promptGraph('Red   CIRCLE', { node: 'prompt-7' }));
    expect(a.counts).toEqual({ hits: 0, misses: 1 });
    expect(b.counts).toEqual({ hits: 1, misses: 0 });
    expect(b.node.cached).toBe(false);
    expect(bytesOf(b.conditioning).equals(bytesOf(a.conditioning))).toBe(true);
    expect(b.conditioning.prompt).toBe('Red   CIRCLE');
    expect(b.conditioning.tokens.map((t) => t.id)).toEqual(a.conditioning.tokens.map((t) => t.id));
    // The same file under another name, loaded by the CLIP Loader: its content is the key.
    const c = await encodeRun(ex, promptGraph('red circle', { loader: 'clip' }));
    expect(c.counts).toEqual({ hits: 1, misses: 0 });
    expect(bytesOf(c.conditioning).equals(bytesOf(a.conditioning))).toBe(true);
  });

  it('misses on another token or another emphasis, and stores emphasised embeddings as the encoder made them', async () => {
    const ex = executor();
    await encodeRun(ex, promptGraph('red circle'));
    expect((await encodeRun(ex, promptGraph('red square'))).counts).toEqual({ hits: 0, misses: 1 });
    const weighted = await encodeRun(ex, promptGraph('(red:1.3) circle'));
    expect(weighted.counts).toEqual({ hits: 0, misses: 1 });
    expect((await encodeRun(ex, promptGraph('(red:1.4) circle'))).counts).toEqual({ hits: 0, misses: 1 });
    const again = await encodeRun(ex, promptGraph('(red:1.3) circle', { node: 'n2' }));
    expect(again.counts).toEqual({ hits: 1, misses: 0 });
    expect(bytesOf(again.conditioning).equals(bytesOf(weighted.conditioning))).toBe(true);
  });

  it('never answers one owner with another owner\'s entry', async () => {
    const ex = executor();
    await encodeRun(ex, promptGraph('red circle'), 'ann');
    expect((await encodeRun(ex, promptGraph('red circle'), 'bob')).counts).toEqual({ hits: 0, misses: 1 });
    expect((await encodeRun(ex, promptGraph('red circle'), 'ann')).counts).toEqual({ hits: 1, misses: 0 });
  });

  it('is off with a budget of 0: no counts, every encode runs', async () => {
    const ex = new Executor({ runtime, models: new ModelStore(models), inputs: new InputStore([]), nodes: allNodes(), cacheBytes: 0, promptCacheBytes: 0 });
    const r = await encodeRun(ex, promptGraph('red circle'));
    expect(r.counts).toBeUndefined();
    expect((await encodeRun(ex, promptGraph('red circle'))).counts).toBeUndefined();
    expect(ex.promptCache.totals()).toMatchObject({ hits: 0, misses: 0, entries: 0 });
  });
});

describe('an encoder whose file went away after loading', () => {
  it('still encodes from its session, without the cache (no key can be made)', async () => {
    const copy = path.join(models, 'checkpoints', 'sprites-gone');
    fs.cpSync(path.join(models, SPRITES_CHECKPOINT), copy, { recursive: true });
    const { clip } = await loadCheckpoint(runtime, copy);
    fs.rmSync(path.join(copy, 'text_encoder', 'model.onnx'));
    const run = new PromptCache(1024 ** 2).forRun();
    const c = await clip.encode('red circle', undefined, run);
    expect(run.counts()).toEqual({ hits: 0, misses: 0 });
    const { clip: original } = await loadCheckpoint(runtime, path.join(models, SPRITES_CHECKPOINT));
    expect(bytesOf(c).equals(bytesOf(await original.encode('red circle')))).toBe(true);
  });
});

describe('prompt cache with LoRAs merged into the text encoder (tiny-sd)', () => {
  it('keys by the LoRA set and strength: another strength or no LoRA misses, the same merge again hits', async () => {
    const store = new ModelStore(models);
    const ctx = { runtime, models: store };
    const { clip } = await loadCheckpoint(runtime, path.join(models, 'checkpoints', 'tiny-sd'));
    const file = store.resolve('loras', 'tiny-sd-kohya.safetensors');
    const merged = async (strength: number) => (await applyLora(ctx, clip, 'text_encoder', { name: 'tiny-sd-kohya.safetensors', file, strength })).model;
    const cache = new PromptCache(1024 ** 2);
    const run = cache.forRun();
    const prompt = 'a photo of a cat';

    const half = await (await merged(0.5)).encode(prompt, undefined, run);
    const full = await (await merged(1)).encode(prompt, undefined, run);
    const plain = await clip.encode(prompt, undefined, run);
    expect(run.counts()).toEqual({ hits: 0, misses: 3 });
    expect(bytesOf(half).equals(bytesOf(full))).toBe(false);
    expect(bytesOf(half).equals(bytesOf(plain))).toBe(false);

    const halfAgain = await (await merged(0.5)).encode(prompt, undefined, run);
    expect(run.counts()).toEqual({ hits: 1, misses: 3 });
    expect(bytesOf(halfAgain).equals(bytesOf(half))).toBe(true);
    expect((await merged(0.5)).weightsKey()).not.toBe((await merged(1)).weightsKey());
    expect(clip.weightsKey()).not.toBe((await merged(0.5)).weightsKey());

    // Another encoder file (sprites) with the same prompt: another key.
    const sprites = (await loadCheckpoint(runtime, path.join(models, SPRITES_CHECKPOINT))).clip;
    await sprites.encode(prompt, undefined, run);
    expect(run.counts()).toEqual({ hits: 1, misses: 4 });
  });
});
