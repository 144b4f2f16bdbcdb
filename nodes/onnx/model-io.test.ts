import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxRuntime } from '../runtime/onnx';
import { float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from '../runtime/float16';
import { GraphBuilder, tensorProto } from './builder';
import { getInitializerFloat32, listInitializers, OnnxModelError, readModel, setInitializerFloat32, writeModel } from './model-io';
import { onnx } from './proto';

const Q = 'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight';
const K = 'onnx::MatMul_123';
const WQ = Float32Array.from({ length: 12 }, (_, i) => (i - 6) / 4); // [4,3]
const WK = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)); // [4,3]
const BIAS = Float32Array.from([0.5, -0.5, 0.25]);

/** An SD-shaped attention slice: two projections named the way diffusers' ONNX export names them. */
function attentionSlice(opts: { half?: boolean; externalData?: boolean; file?: string } = {}) {
  const g = new GraphBuilder('unet');
  const type = opts.half ? 'float16' : 'float32';
  const w = (d: Float32Array) => (opts.half ? float32ToFloat16(d) : d);
  const x = g.input('sample', type, [1, 4]);
  const prefix = '/down_blocks.0/attentions.0/transformer_blocks.0/attn1';
  const q = g.op('MatMul', [x, g.initializer(Q, w(WQ), [4, 3])], { name: `${prefix}/to_q/MatMul` });
  const k = g.op('MatMul', [x, g.initializer(K, w(WK), [4, 3])], { name: `${prefix}/to_k/MatMul` });
  const sum = g.op('Add', [g.op('Add', [q, k], { name: `${prefix}/Add` }), g.initializer('bias', w(BIAS), [3])], { name: '/Add_1' });
  g.output(sum, 'out_sample', type, [1, 3]);
  if (opts.file) {
    g.save(opts.file, { externalData: opts.externalData ? { location: 'weights.pb', threshold: 40 } : undefined });
    return fs.readFileSync(opts.file);
  }
  return g.toBytes();
}

const X = Float32Array.from([1, -2, 0.5, 3]);
function reference(wq: ArrayLike<number>, wk: ArrayLike<number>, bias: ArrayLike<number> = BIAS): number[] {
  return [0, 1, 2].map((j) => X.reduce((a, v, i) => a + v * (wq[i * 3 + j] + wk[i * 3 + j]), bias[j]));
}

let dir: string;
let rt: OnnxRuntime;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-modelio-'));
  rt = new OnnxRuntime({ provider: 'cpu', intraOpThreads: 1, budgetBytes: 1 << 30 });
});
afterAll(async () => {
  await rt.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function run(key: string, bytes: Uint8Array, externalDataDir?: string): Promise<number[]> {
  const s = await rt.session(key, { bytes }, { externalDataDir });
  return Array.from((await s.run({ sample: { data: X, dims: [1, 4] } })).out_sample.data as Float32Array);
}

describe('listInitializers', () => {
  it('names each weight with its dims, dtype and the nodes that consume it', () => {
    const info = listInitializers(readModel(attentionSlice()));
    expect(info).toEqual([
      { name: Q, dims: [4, 3], dataType: 'float32', external: false,
        consumers: [{ nodeName: '/down_blocks.0/attentions.0/transformer_blocks.0/attn1/to_q/MatMul', opType: 'MatMul', inputIndex: 1 }] },
      { name: K, dims: [4, 3], dataType: 'float32', external: false,
        consumers: [{ nodeName: '/down_blocks.0/attentions.0/transformer_blocks.0/attn1/to_k/MatMul', opType: 'MatMul', inputIndex: 1 }] },
      { name: 'bias', dims: [3], dataType: 'float32', external: false, consumers: [{ nodeName: '/Add_1', opType: 'Add', inputIndex: 1 }] },
    ]);
  });
});

describe('getInitializerFloat32', () => {
  it('reads raw_data float32 and float16 weights', () => {
    expect(getInitializerFloat32(readModel(attentionSlice()), Q)).toEqual(WQ);
    const half = readModel(attentionSlice({ half: true }));
    expect(listInitializers(half)[1].dataType).toBe('float16');
    expect(getInitializerFloat32(half, K)).toEqual(float16ToFloat32(float32ToFloat16(WK)));
  });

  it('reads float_data, int32_data-packed float16 and bfloat16 encodings', () => {
    const model = readModel(attentionSlice());
    const bf = tensorProto('bf', float32ToBfloat16([1.5, -3]), [2], 'bfloat16');
    model.graph!.initializer!.push(
      onnx.TensorProto.create({ name: 'typed', dims: [2], dataType: 1, floatData: [0.25, -8] }),
      onnx.TensorProto.create({ name: 'packed', dims: [2], dataType: 10, int32Data: [0x3c00, 0xc000] }),
      onnx.TensorProto.create(bf),
    );
    const back = readModel(writeModel(model));
    expect(Array.from(getInitializerFloat32(back, 'typed'))).toEqual([0.25, -8]);
    expect(Array.from(getInitializerFloat32(back, 'packed'))).toEqual([1, -2]);
    expect(Array.from(getInitializerFloat32(back, 'bf'))).toEqual([1.5, -3]);
  });

  it('reads weights stored in the side file', () => {
    const file = path.join(dir, 'ext', 'model.onnx');
    const model = readModel(attentionSlice({ file, externalData: true }));
    expect(listInitializers(model).map((i) => i.external)).toEqual([true, true, false]);
    expect(getInitializerFloat32(model, K, path.dirname(file))).toEqual(WK);
    expect(() => getInitializerFloat32(model, K)).toThrow(/stored in "weights.pb"; pass the model's folder as baseDir/);
  });

  it('explains missing and non-float initializers', () => {
    const g = new GraphBuilder('ints');
    const x = g.input('x', 'float32', [2]);
    g.output(g.op('Reshape', [x, g.int64s([2, 1], 'shape')]), 'y', 'float32');
    const model = readModel(g.toBytes());
    expect(() => getInitializerFloat32(model, 'nope')).toThrow(OnnxModelError);
    expect(() => getInitializerFloat32(model, 'shape')).toThrow(/initializer "shape": holds int64/);
  });
});

describe('setInitializerFloat32', () => {
  // A rank-1 LoRA-style delta: up (4) x down (3) scaled by 0.5.
  const up = [1, 0, -1, 2], down = [0.5, -1, 1];
  const delta = Float32Array.from({ length: 12 }, (_, i) => 0.5 * up[Math.floor(i / 3)] * down[i % 3]);
  const merged = WQ.map((v, i) => v + delta[i]);

  it('changes the output by exactly x·delta after a write/read round trip', async () => {
    const model = readModel(attentionSlice());
    setInitializerFloat32(model, Q, merged);
    const bytes = writeModel(model);
    expect(getInitializerFloat32(readModel(bytes), Q)).toEqual(merged);
    const before = await run('plain', attentionSlice());
    const after = await run('merged', bytes);
    const shift = [0, 1, 2].map((j) => X.reduce((a, v, i) => a + v * delta[i * 3 + j], 0));
    before.forEach((v, j) => expect(v).toBeCloseTo(reference(WQ, WK)[j], 5));
    after.forEach((v, j) => expect(v - before[j]).toBeCloseTo(shift[j], 5));
  });

  it('writes float16 weights back as float16', async () => {
    const model = readModel(attentionSlice({ half: true }));
    setInitializerFloat32(model, Q, merged);
    const back = readModel(writeModel(model));
    const q = back.graph!.initializer!.find((t) => t.name === Q)!;
    expect(q.dataType).toBe(10);
    expect(new Uint16Array(new Uint8Array(q.rawData!).buffer)).toEqual(float32ToFloat16(merged));
    const out = await run('half-merged', writeModel(back));
    const h = (d: ArrayLike<number>) => float16ToFloat32(float32ToFloat16(d));
    out.forEach((v, j) => expect(Math.abs(v - reference(h(merged), h(WK), h(BIAS))[j])).toBeLessThan(0.02));
  });

  it('inlines an edited external weight while the others keep reading the side file', async () => {
    const file = path.join(dir, 'ext2', 'model.onnx');
    const model = readModel(attentionSlice({ file, externalData: true }));
    setInitializerFloat32(model, Q, merged);
    const bytes = writeModel(model);
    expect(listInitializers(readModel(bytes)).map((i) => i.external)).toEqual([false, true, false]);
    const out = await run('ext-merged', bytes, path.dirname(file));
    out.forEach((v, j) => expect(v).toBeCloseTo(reference(merged, WK)[j], 5));
  });

  it('refuses data of the wrong size', () => {
    const model = readModel(attentionSlice());
    expect(() => setInitializerFloat32(model, Q, new Float32Array(5))).toThrow(/got 5 values, dims \[4, 3\] need 12/);
  });
});
