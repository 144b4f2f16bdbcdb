// Embedding ids sit above the vocabulary, so an export that pools at the largest id (transformers' CLIP pooling for
// eos_token_id 2 configs: input_ids.argmax(-1)) would pool at the embedding's token. withExtraTokens then adds a copy
// of the end token's row above the embeddings, to be sent in the end token's place; an export that finds the end
// token by comparing with its id needs (and gets) nothing. Two 8-token encoders, run through onnxruntime-node.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../onnx/builder';
import { getInitializerFloat32, readModel } from '../onnx/model-io';
import { OnnxRuntime } from '../runtime/onnx';
import { withExtraTokens, type TextualInversion } from './embeddings';

const VOCAB = 8;
const DIM = 2;
const [BOS, EOS] = [6, 7];
const TABLE = 'text_model.embeddings.token_embedding.weight';

let dir: string;
let runtime: OnnxRuntime;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-ti-pooling-'));
  runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 28, intraOpThreads: 1, onWarning: () => undefined });
});
afterAll(async () => {
  await runtime.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** token rows -> hidden; `pooled_index` = where the pooling reads: argmax of the ids, or of ids == EOS. */
function encoder(name: string, pooling: 'largest' | 'compare'): string {
  const g = new GraphBuilder(name);
  const ids = g.input('input_ids', 'int64', [1, 'tokens']);
  const table = g.initializer(TABLE, Float32Array.from({ length: VOCAB * DIM }, (_, i) => i / 10), [VOCAB, DIM]);
  g.output(g.op('Gather', [table, ids], { attrs: { axis: 0 } }), 'last_hidden_state', 'float32');
  const flat = g.op('Reshape', [ids, g.int64s([1, -1])]);
  const key = pooling === 'largest' ? g.op('Cast', [flat], { attrs: { to: 6 } }) : g.op('Cast', [g.op('Equal', [flat, g.scalar(EOS, 'int64')])], { attrs: { to: 6 } });
  g.output(g.op('ArgMax', [key], { attrs: { axis: -1, keepdims: 0 } }), 'pooled_index', 'int64');
  const file = path.join(dir, `${name}.onnx`);
  g.save(file);
  return file;
}

const embedding = (file: string): TextualInversion => ({ name: 'style', file, hash: 'h', vectors: Float32Array.from([9, 9]), count: 1, dim: DIM });

async function pooledAt(bytes: Uint8Array, key: string, ids: number[]): Promise<number> {
  const session = await runtime.session(key, { bytes });
  const out = await session.run({ input_ids: { data: BigInt64Array.from(ids.map(BigInt)), dims: [1, ids.length] } });
  return Number((out.pooled_index.data as BigInt64Array)[0]);
}

describe('textual inversion and end-token pooling', () => {
  it('pooling at the largest id: the end token is sent as a copy of its row above the embeddings, and pooling finds it', async () => {
    const file = encoder('largest', 'largest');
    const { bytes, ids, eos } = withExtraTokens(file, [embedding(file)], EOS);
    expect(ids.get('style')).toEqual([VOCAB]);
    expect(eos).toEqual({ from: EOS, to: VOCAB + 1 });
    const rows = getInitializerFloat32(readModel(bytes), TABLE);
    expect(Array.from(rows.subarray((VOCAB + 1) * DIM))).toEqual(Array.from(rows.subarray(EOS * DIM, (EOS + 1) * DIM)));
    // [BOS, embedding, EOS]: sent as is, the pooling lands on the embedding (1); with the end token moved, on it (2).
    expect(await pooledAt(bytes, 'largest-raw', [BOS, VOCAB, EOS])).toBe(1);
    expect(await pooledAt(bytes, 'largest-moved', [BOS, VOCAB, VOCAB + 1])).toBe(2);
  });

  it('pooling by comparing with the end token\'s id: nothing moves', async () => {
    const file = encoder('compare', 'compare');
    const { bytes, eos } = withExtraTokens(file, [embedding(file)], EOS);
    expect(eos).toBeUndefined();
    expect(getInitializerFloat32(readModel(bytes), TABLE).length).toBe((VOCAB + 1) * DIM);
    expect(await pooledAt(bytes, 'compare-raw', [BOS, VOCAB, EOS])).toBe(2);
  });
});
