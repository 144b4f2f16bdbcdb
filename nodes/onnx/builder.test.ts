import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxRuntime, type RunOutput } from '../runtime/onnx';
import { GraphBuilder, OnnxBuildError, attr } from './builder';
import { listInitializers, readModel } from './model-io';
import { onnx, toNumber } from './proto';

let dir: string;
let rt: OnnxRuntime;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-builder-'));
  rt = new OnnxRuntime({ provider: 'cpu', intraOpThreads: 1, budgetBytes: 1 << 30 });
});

afterAll(async () => {
  await rt.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

function expectClose(out: RunOutput, dims: number[], expected: ArrayLike<number>, tol = 1e-5): void {
  expect(out.dims).toEqual(dims);
  const got = out.data as Float32Array;
  expect(got.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(got[i] - expected[i]) > tol * Math.max(1, Math.abs(expected[i]))) {
      throw new Error(`index ${i}: got ${got[i]}, expected ${expected[i]}`);
    }
  }
}

/** Deterministic values in [-1, 1) so reference and model see the same numbers. */
function ramp(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (((i * 7919 + seed * 104729) % 1000) / 500) - 1);
}

describe('elementwise, reduction and shape ops', () => {
  const X = Float32Array.from([0.5, -1.5, 2, -0.25, 3, -2]); // [2,3]
  const GAMMA = Float32Array.from([1, 0.5, 2]);
  const BETA = Float32Array.from([0, 1, -1]);
  let out: Record<string, RunOutput>;

  beforeAll(async () => {
    const g = new GraphBuilder('ops');
    const x = g.input('x', 'float32', [2, 3]);
    const ex = g.op('Exp', [x]);
    g.output(ex, 'exp', 'float32', [2, 3]);
    g.output(g.op('Log', [g.op('Add', [ex, g.scalar(1)])]), 'softplus', 'float32');
    const rsum = g.op('ReduceSum', [x, g.int64s([1])], { attrs: { keepdims: 1 } });
    g.output(rsum, 'rowsum', 'float32', [2, 1]);
    const centred = g.op('Sub', [x, g.op('Div', [rsum, g.scalar(3)])]);
    g.output(g.op('Div', [centred, g.op('Sqrt', [g.op('Add', [g.op('Mul', [x, x]), g.scalar(1)])])]), 'norm', 'float32');
    g.output(g.op('Concat', [x, ex], { attrs: { axis: 0 } }), 'cat', 'float32');
    g.output(g.op('Unsqueeze', [x, g.int64s([0])]), 'unsq', 'float32');
    g.output(g.op('Transpose', [x], { attrs: { perm: [1, 0] } }), 'tr', 'float32');
    g.output(g.op('Reshape', [x, g.int64s([3, -1])]), 'resh', 'float32');
    const positive = g.op('Greater', [x, g.scalar(0)]);
    g.output(g.op('Where', [positive, x, g.op('Mul', [x, g.scalar(0.1)])]), 'leaky', 'float32');
    const ln = g.op('LayerNormalization', [x, g.initializer('gamma', GAMMA, [3]), g.initializer('beta', BETA, [3])], {
      attrs: { axis: -1, epsilon: 1e-5 },
    });
    g.output(ln, 'ln', 'float32');
    const s = await rt.session('ops', { bytes: g.toBytes({ opset: 17 }) });
    out = await s.run({ x: { data: X, dims: [2, 3] } });
  });

  const rows = [Array.from(X.slice(0, 3)), Array.from(X.slice(3))];

  it('Exp, Log, Add', () => {
    expectClose(out.exp, [2, 3], Array.from(X, Math.exp));
    expectClose(out.softplus, [2, 3], Array.from(X, (v) => Math.log(Math.exp(v) + 1)));
  });

  it('ReduceSum, Sub, Div, Sqrt, Mul', () => {
    const sums = rows.map((r) => r[0] + r[1] + r[2]);
    expectClose(out.rowsum, [2, 1], sums);
    expectClose(out.norm, [2, 3], rows.flatMap((r, i) => r.map((v) => (v - sums[i] / 3) / Math.sqrt(v * v + 1))));
  });

  it('Concat, Unsqueeze, Transpose, Reshape', () => {
    expectClose(out.cat, [4, 3], [...X, ...Array.from(X, Math.exp)]);
    expectClose(out.unsq, [1, 2, 3], X);
    expectClose(out.tr, [3, 2], [X[0], X[3], X[1], X[4], X[2], X[5]]);
    expectClose(out.resh, [3, 2], X);
  });

  it('Greater + Where', () => {
    expectClose(out.leaky, [2, 3], Array.from(X, (v) => (v > 0 ? v : 0.1 * v)));
  });

  it('LayerNormalization', () => {
    const expected = rows.flatMap((r) => {
      const mean = (r[0] + r[1] + r[2]) / 3;
      const variance = r.reduce((a, v) => a + (v - mean) ** 2, 0) / 3;
      return r.map((v, j) => ((v - mean) / Math.sqrt(variance + 1e-5)) * GAMMA[j] + BETA[j]);
    });
    expectClose(out.ln, [2, 3], expected);
  });
});

/** NCHW convolution with symmetric pads, the reference for Conv. */
function conv2d(x: Float32Array, [c, h, w]: number[], k: Float32Array, [o, kh, kw]: number[], bias: Float32Array | null, pad: number, stride: number) {
  const oh = Math.floor((h + 2 * pad - kh) / stride) + 1;
  const ow = Math.floor((w + 2 * pad - kw) / stride) + 1;
  const out = new Float32Array(o * oh * ow);
  for (let oc = 0; oc < o; oc++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        let acc = bias ? bias[oc] : 0;
        for (let ic = 0; ic < c; ic++) {
          for (let i = 0; i < kh; i++) {
            for (let j = 0; j < kw; j++) {
              const yy = y * stride + i - pad, xj = xx * stride + j - pad;
              if (yy < 0 || yy >= h || xj < 0 || xj >= w) continue;
              acc += x[(ic * h + yy) * w + xj] * k[((oc * c + ic) * kh + i) * kw + j];
            }
          }
        }
        out[(oc * oh + y) * ow + xx] = acc;
      }
    }
  }
  return { data: out, dims: [o, oh, ow] };
}

describe('convolution ops', () => {
  const X = ramp(2 * 4 * 4, 1);
  const K = ramp(3 * 2 * 3 * 3, 2);
  const BIAS = Float32Array.from([0.1, -0.2, 0.05]);
  const K2 = ramp(4 * 2, 3); // 1x1 conv to 4 channels
  const Z = ramp(2 * 2 * 2, 4);
  const KT = ramp(2 * 1 * 2 * 2, 5); // ConvTranspose weights [Cin=2, Cout=1, 2, 2]
  let out: Record<string, RunOutput>;

  beforeAll(async () => {
    const g = new GraphBuilder('convs');
    const x = g.input('image', 'float32', [1, 2, 4, 4]);
    const z = g.input('latent', 'float32', [1, 2, 2, 2]);
    const c = g.op('Conv', [x, g.initializer('conv.weight', K, [3, 2, 3, 3]), g.initializer('conv.bias', BIAS, [3])], {
      name: '/conv/Conv', attrs: { pads: [1, 1, 1, 1], strides: [2, 2], kernel_shape: [3, 3] },
    });
    const r = g.op('Relu', [c]);
    g.output(r, 'relu', 'float32');
    const up = g.op('Resize', [r, null, g.constant([1, 1, 2, 2])], {
      attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' },
    });
    g.output(up, 'up', 'float32');
    const d2s = g.op('DepthToSpace', [g.op('Conv', [x, g.initializer('k2', K2, [4, 2, 1, 1])], { attrs: { strides: [2, 2] } })], {
      attrs: { blocksize: 2, mode: 'DCR' },
    });
    g.output(d2s, 'd2s', 'float32');
    g.output(g.op('Add', [up, d2s]), 'sum', 'float32');
    g.output(g.op('ConvTranspose', [z, g.initializer('kt', KT, [2, 1, 2, 2])], { attrs: { strides: [2, 2] } }), 'convt', 'float32');
    const s = await rt.session('convs', { bytes: g.toBytes() });
    out = await s.run({ image: { data: X, dims: [1, 2, 4, 4] }, latent: { data: Z, dims: [1, 2, 2, 2] } });
  });

  const conv = () => conv2d(X, [2, 4, 4], K, [3, 3, 3], BIAS, 1, 2);
  const relu = () => conv().data.map((v) => Math.max(0, v));
  const upRef = () => {
    const r = relu();
    return Float32Array.from({ length: 3 * 16 }, (_, i) => {
      const ch = Math.floor(i / 16), y = Math.floor((i % 16) / 4), x = i % 4;
      return r[ch * 4 + Math.floor(y / 2) * 2 + Math.floor(x / 2)];
    });
  };
  const d2sRef = () => {
    const c = conv2d(X, [2, 4, 4], K2, [4, 1, 1], null, 0, 2).data; // [4,2,2]
    // DCR: output (y*2+i, x*2+j) comes from channel i*2+j.
    return Float32Array.from({ length: 16 }, (_, p) => {
      const Y = Math.floor(p / 4), Xp = p % 4;
      return c[((Y % 2) * 2 + (Xp % 2)) * 4 + Math.floor(Y / 2) * 2 + Math.floor(Xp / 2)];
    });
  };

  it('Conv with pads and strides, then Relu', () => {
    expect(conv().dims).toEqual([3, 2, 2]);
    expectClose(out.relu, [1, 3, 2, 2], relu());
  });

  it('Resize nearest doubles each pixel', () => expectClose(out.up, [1, 3, 4, 4], upRef()));

  it('DepthToSpace (DCR) and a broadcast Add', () => {
    expectClose(out.d2s, [1, 1, 4, 4], d2sRef());
    const d = d2sRef();
    expectClose(out.sum, [1, 3, 4, 4], upRef().map((v, i) => v + d[i % 16]));
  });

  it('ConvTranspose with stride 2 scatters each input pixel over a 2x2 block', () => {
    const expected = new Float32Array(16);
    for (let c = 0; c < 2; c++) {
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 2; j++) {
          for (let ki = 0; ki < 2; ki++) {
            for (let kj = 0; kj < 2; kj++) expected[(i * 2 + ki) * 4 + j * 2 + kj] += Z[c * 4 + i * 2 + j] * KT[c * 4 + ki * 2 + kj];
          }
        }
      }
    }
    expectClose(out.convt, [1, 1, 4, 4], expected);
  });
});

describe('attributes', () => {
  it('encodes every attribute kind and runs whole-number float attributes as floats', async () => {
    const g = new GraphBuilder('attrs');
    const x = g.input('x', 'float32', [1, 2]);
    const w = g.op('Constant', [], { attrs: { value: attr.tensor(Float32Array.from([1, 2, 3, 4]), [2, 2]) } });
    const bias = g.op('Constant', [], { attrs: { value_floats: [0.5, -0.5] } });
    const gemm = g.op('Gemm', [x, w, bias], { attrs: { alpha: attr.float(2), beta: attr.float(1), transB: 1 } });
    g.output(g.op('LeakyRelu', [gemm], { attrs: { alpha: 0.1 } }), 'y', 'float32', [1, 2]);
    const bytes = g.toBytes();
    const T = onnx.AttributeProto.AttributeType;
    // String attributes are checked by decoding only: no ONNX op here takes free-form ones.
    const tagged = new GraphBuilder('tags');
    const t = tagged.op('Identity', [tagged.input('x', 'float32', [1])], { name: 'tagged', attrs: { note: 'hi', notes: ['a', 'b'], ks: attr.ints([]) } });
    tagged.output(t, 'y', 'float32');
    const attrs = readModel(tagged.toBytes()).graph!.node!.find((n) => n.name === 'tagged')!.attribute!;
    expect(attrs.map((a) => [a.name, a.type])).toEqual([['note', T.STRING], ['notes', T.STRINGS], ['ks', T.INTS]]);
    expect(new TextDecoder().decode(attrs[0].s!)).toBe('hi');
    expect(attrs[1].strings!.map((b) => new TextDecoder().decode(b))).toEqual(['a', 'b']);
    const gemmNode = readModel(bytes).graph!.node!.find((n) => n.opType === 'Gemm')!;
    expect(gemmNode.attribute!.map((a) => a.type)).toEqual([T.FLOAT, T.FLOAT, T.INT]);

    // y = leaky(2 * x·Wᵀ + b)
    const s = await rt.session('attrs', { bytes });
    const out = await s.run({ x: { data: Float32Array.from([1, -1]), dims: [1, 2] } });
    const pre = [2 * (1 * 1 + -1 * 2) + 0.5, 2 * (1 * 3 + -1 * 4) - 0.5]; // [-1.5, -2.5]
    expectClose(out.y, [1, 2], pre.map((v) => (v > 0 ? v : 0.1 * v)));
  });
});

describe('external data and float16', () => {
  it('writes large initializers to a side file that loads from disk and from bytes', async () => {
    const W = ramp(64 * 8, 6);
    const g = new GraphBuilder('unet');
    const x = g.input('sample', 'float32', ['batch', 64]);
    const y = g.op('MatMul', [x, g.initializer('down_blocks.0.proj.weight', W, [64, 8])], { name: '/down_blocks.0/proj/MatMul' });
    g.output(g.op('Add', [y, g.initializer('small_bias', Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8), [8])]), 'out_sample', 'float32', ['batch', 8]);
    const file = path.join(dir, 'unet', 'model.onnx');
    g.save(file, { externalData: { location: 'weights.pb', threshold: 1024 } });
    expect(fs.statSync(path.join(dir, 'unet', 'weights.pb')).size).toBe(64 * 8 * 4);
    const info = listInitializers(readModel(fs.readFileSync(file)));
    expect(info.map((i) => [i.name, i.external])).toEqual([['down_blocks.0.proj.weight', true], ['small_bias', false]]);

    const feed = { sample: { data: ramp(64, 7), dims: [1, 64] } };
    const expected = Array.from({ length: 8 }, (_, j) => {
      let acc = j + 1;
      for (let k = 0; k < 64; k++) acc += feed.sample.data[k] * W[k * 8 + j];
      return acc;
    });
    const fromDisk = await rt.session('unet-path', { path: file });
    expectClose((await fromDisk.run(feed)).out_sample, [1, 8], expected);
    const fromBytes = await rt.session('unet-bytes', { bytes: fs.readFileSync(file) }, { externalDataDir: path.join(dir, 'unet') });
    expectClose((await fromBytes.run(feed)).out_sample, [1, 8], expected);
  });

  it('a float16 model takes float32 feeds and returns float32', async () => {
    const { float32ToFloat16, float16ToFloat32 } = await import('../runtime/float16');
    const W = ramp(4 * 3, 8);
    const g = new GraphBuilder('half');
    const x = g.input('x', 'float16', [1, 4]);
    const y = g.op('Softmax', [g.op('MatMul', [x, g.initializer('w', float32ToFloat16(W), [4, 3])])], { attrs: { axis: -1 } });
    g.output(y, 'y', 'float16', [1, 3]);
    const s = await rt.session('half-mm', { bytes: g.toBytes() });
    expect(s.inputs[0].type).toBe('float16');
    const X = Float32Array.from([0.3, -1.2, 2.5, 0.75]);
    const out = await s.run({ x: { data: X, dims: [1, 4] } });
    // Reference on the same half-rounded operands; fp16 accumulation leaves ~1e-3 error.
    const xh = float16ToFloat32(float32ToFloat16(X)), wh = float16ToFloat32(float32ToFloat16(W));
    const logits = [0, 1, 2].map((j) => xh.reduce((a, v, k) => a + v * wh[k * 3 + j], 0));
    const e = logits.map(Math.exp);
    expectClose(out.y, [1, 3], e.map((v) => v / (e[0] + e[1] + e[2])), 2e-3);
  });
});

describe('builder errors', () => {
  it('refuses duplicate names, undefined inputs, wrong sizes and graphs without outputs', () => {
    const g = new GraphBuilder('bad');
    const x = g.input('x', 'float32', [2]);
    expect(() => g.input('x', 'float32', [2])).toThrow(/graph "bad": tensor name "x" is already used/);
    expect(() => g.op('Relu', ['nope'])).toThrow(/reads "nope", which nothing defines yet/);
    expect(() => g.initializer('w', new Float32Array(3), [2, 2])).toThrow(OnnxBuildError);
    expect(() => g.initializer('w', new Float32Array(4), [2, 2], 'int64')).toThrow(/cannot hold int64/);
    expect(() => g.toBytes()).toThrow(/declare at least one output/);
    g.output(g.op('Relu', [x]), 'y', 'float32');
    expect(toNumber(readModel(g.toBytes()).opsetImport![0].version)).toBe(17);
  });
});
