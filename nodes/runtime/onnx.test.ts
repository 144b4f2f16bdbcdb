import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder, attr } from '../onnx/builder';
import { OnnxRuntime, OnnxRunError, OnnxLoadError, outputFloat32, type RuntimeConfig } from './onnx';

let dir: string;
// The CUDA provider is a separate library that only a cuda12 install of onnxruntime-node brings.
const cudaInstalled = fs.existsSync(path.join(
  path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json')),
  'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so',
));
const expectedGpu = cudaInstalled ? 'cuda' : 'cpu';
const runtimes: OnnxRuntime[] = [];

function runtime(config: Partial<RuntimeConfig> = {}): OnnxRuntime {
  const r = new OnnxRuntime({ provider: 'cpu', intraOpThreads: 1, budgetBytes: 1 << 30, onWarning: () => {}, ...config });
  runtimes.push(r);
  return r;
}

// logits = x·W + b, probs = softmax(logits), picked = table[ids]: the three op kinds every pack model leans on.
const W = Float32Array.from([0.5, -1, 2, 0.25, 1.5, -0.5, -2, 0.75, 1]); // [3,3]
const B = Float32Array.from([0.1, -0.2, 0.3]);
const TABLE = Float32Array.from([10, 11, 20, 21, 30, 31, 40, 41]); // [4,2]

function tinyModel(): Uint8Array {
  const g = new GraphBuilder('tiny');
  const x = g.input('x', 'float32', ['batch', 3]);
  const ids = g.input('ids', 'int64', ['n']);
  const logits = g.op('Add', [g.op('MatMul', [x, g.initializer('W', W, [3, 3])]), g.initializer('b', B, [3])]);
  g.output(logits, 'logits', 'float32', ['batch', 3]);
  g.output(g.op('Softmax', [logits], { attrs: { axis: -1 } }), 'probs', 'float32', ['batch', 3]);
  g.output(g.op('Gather', [g.initializer('table', TABLE, [4, 2]), ids], { attrs: { axis: 0 } }), 'picked', 'float32', ['n', 2]);
  return g.toBytes();
}

function referenceLogits(x: number[]): number[] {
  return [0, 1, 2].map((j) => x[0] * W[j] + x[1] * W[3 + j] + x[2] * W[6 + j] + B[j]);
}

function softmax(v: number[]): number[] {
  const m = Math.max(...v);
  const e = v.map((a) => Math.exp(a - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((a) => a / s);
}

/** y = x * k, with `k` baked in so models loaded under different keys are distinguishable. */
function scaleModel(k: number): Uint8Array {
  const g = new GraphBuilder(`scale${k}`);
  const x = g.input('x', 'float32', [2]);
  g.output(g.op('Mul', [x, g.scalar(k)]), 'y', 'float32', [2]);
  return g.toBytes();
}

const feeds = { x: { data: Float32Array.from([1, 2]), dims: [2] } };

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-onnx-'));
  fs.writeFileSync(path.join(dir, 'tiny.onnx'), tinyModel());
  for (const k of [2, 3, 5]) fs.writeFileSync(path.join(dir, `scale${k}.onnx`), scaleModel(k));
});

afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.dispose()));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('ModelSession', () => {
  it('runs MatMul + Add, Softmax and Gather and matches a JS computation', async () => {
    const rt = runtime();
    const s = await rt.session('tiny', { path: path.join(dir, 'tiny.onnx') });
    const x = [[1, 2, 3], [-0.5, 0.25, 4]];
    // ids come as Int32Array; the model wants int64.
    const out = await s.run({ x: { data: Float32Array.from(x.flat()), dims: [2, 3] }, ids: { data: Int32Array.from([3, 0, 2]), dims: [3] } });
    expect(out.logits.dims).toEqual([2, 3]);
    const expected = x.map(referenceLogits);
    Array.from(out.logits.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected.flat()[i], 5));
    Array.from(out.probs.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected.map(softmax).flat()[i], 6));
    expect(out.picked.dims).toEqual([3, 2]);
    expect(Array.from(out.picked.data as Float32Array)).toEqual([40, 41, 10, 11, 30, 31]);
    expect(rt.ortMs).toBeGreaterThan(0);
    expect(s.provider).toBe('cpu');
  });

  it('reports input and output metadata from the session', async () => {
    const s = await runtime().session('tiny', { bytes: tinyModel() });
    expect(s.inputs).toEqual([
      { name: 'x', type: 'float32', dims: ['batch', 3] },
      { name: 'ids', type: 'int64', dims: ['n'] },
    ]);
    expect(s.outputs.map((o) => o.name)).toEqual(['logits', 'probs', 'picked']);
    expect(s.bytes).toBe(tinyModel().byteLength);
  });

  it('accumulates time spent in runs', async () => {
    const rt = runtime();
    const s = await rt.session('s2', { path: path.join(dir, 'scale2.onnx') });
    await s.run(feeds);
    const once = rt.ortMs;
    await s.run(feeds);
    expect(rt.ortMs).toBeGreaterThan(once);
  });

  it('converts float timesteps for an int64 input and refuses fractional ones', async () => {
    const g = new GraphBuilder('alphas');
    const t = g.input('timestep', 'int64', [1]);
    const table = g.initializer('alphas_cumprod', Float32Array.from([0.9, 0.8, 0.7, 0.6]), [4]);
    g.output(g.op('Gather', [table, t]), 'alpha', 'float32', [1]);
    const s = await runtime().session('alphas', { bytes: g.toBytes() });
    const out = await s.run({ timestep: { data: Float32Array.of(2), dims: [1] } });
    expect(out.alpha.data[0]).toBeCloseTo(0.7, 6);
    await expect(s.run({ timestep: { data: Float32Array.of(2.5), dims: [1] } })).rejects.toThrow(/not a whole number/);
  });

  it('rejects feeds with wrong names or dims with the given and expected shapes', async () => {
    const s = await runtime().session('tiny', { bytes: tinyModel() });
    const err = await s.run({ x: { data: new Float32Array(4), dims: [2, 2] } }).catch((e) => e);
    expect(err).toBeInstanceOf(OnnxRunError);
    expect(err.message).toContain('model "tiny"');
    expect(err.message).toContain('missing input "ids"');
    expect(err.message).toContain('the model wants [batch, 3]');
    expect(err.message).toContain('Expected: x float32 [batch, 3]; ids int64 [n]');
  });

  it('wraps errors from ONNX Runtime with the model key and feeds', async () => {
    const g = new GraphBuilder('mm');
    const x = g.input('x', 'float32', ['m', 'k']);
    g.output(g.op('MatMul', [x, g.initializer('w', new Float32Array(6), [3, 2])]), 'y', 'float32');
    const s = await runtime().session('mm', { bytes: g.toBytes() });
    const err = await s.run({ x: { data: new Float32Array(4), dims: [1, 4] } }).catch((e) => e);
    expect(err).toBeInstanceOf(OnnxRunError);
    expect(err.message).toMatch(/^model "mm": .*Given: x Float32Array \[1, 4\]/s);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('throws a clear error after dispose and before a run on an aborted signal', async () => {
    const rt = runtime();
    const s = await rt.session('s2', { path: path.join(dir, 'scale2.onnx') });
    const ac = new AbortController();
    ac.abort();
    await expect(s.run(feeds, { signal: ac.signal })).rejects.toThrow(/abort/i);
    await s.dispose();
    await expect(s.run(feeds)).rejects.toThrow(/model "s2": the session was disposed/);
    expect(rt.has('s2')).toBe(false);
    const again = await rt.session('s2', { path: path.join(dir, 'scale2.onnx') });
    expect(again).not.toBe(s);
    expect(Array.from((await again.run(feeds)).y.data as Float32Array)).toEqual([2, 4]);
  });

  it('widens float16 outputs and narrows float32 feeds for a half model', async () => {
    const g = new GraphBuilder('half');
    const x = g.input('x', 'float16', [3]);
    const w = g.initializer('w', Uint16Array.from([0x3c00, 0xc000, 0x3800]), [3]); // 1, -2, 0.5
    g.output(g.op('Mul', [x, w]), 'y', 'float16', [3]);
    const s = await runtime().session('half', { bytes: g.toBytes() });
    const out = await s.run({ x: { data: Float32Array.from([3, 0.1, 65504]), dims: [3] } });
    expect(out.y.type).toBe('float16');
    expect(out.y.data).toBeInstanceOf(Float32Array);
    // 0.1 is 0.0999755859375 in half precision; 65504 * 0.5 is exact.
    expect(Array.from(out.y.data as Float32Array)).toEqual([3, -0.199951171875, 32752]);
  });
});

describe('OnnxRuntime cache', () => {
  const src = (k: number) => ({ path: path.join(dir, `scale${k}.onnx`) });

  it('shares one load between concurrent requests and counts hits and misses', async () => {
    const rt = runtime();
    const [a, b] = await Promise.all([rt.session('s2', src(2)), rt.session('s2', src(2))]);
    expect(a).toBe(b);
    expect(await rt.session('s2', src(2))).toBe(a);
    expect(rt.stats()).toMatchObject({ sessions: 1, hits: 2, misses: 1 });
  });

  it('evicts the least recently used session to fit the budget and reloads it on use', async () => {
    const rt = runtime({ budgetBytes: 250 });
    const s2 = await rt.session('s2', src(2), { bytesHint: 100 });
    await rt.session('s3', src(3), { bytesHint: 100 });
    await s2.run(feeds); // s3 is now the least recently used
    await rt.session('s5', src(5), { bytesHint: 100 });
    expect([rt.has('s2'), rt.has('s3'), rt.has('s5')]).toEqual([true, false, true]);
    expect(rt.stats()).toMatchObject({ sessions: 2, bytes: 200, budgetBytes: 250 });
    const s3 = await rt.session('s3', src(3), { bytesHint: 100 });
    expect(Array.from((await s3.run(feeds)).y.data as Float32Array)).toEqual([3, 6]);
    expect(rt.has('s2')).toBe(false);
    // A holder of an evicted path-loaded session keeps working: the run reloads it.
    expect(Array.from((await s2.run(feeds)).y.data as Float32Array)).toEqual([2, 4]);
    expect(rt.has('s2')).toBe(true);
    expect(rt.stats().misses).toBe(5);
  });

  it('never releases a session in the middle of its run', async () => {
    const warnings: string[] = [];
    const rt = runtime({ budgetBytes: 150, onWarning: (m) => warnings.push(m) });
    const s2 = await rt.session('s2', src(2), { bytesHint: 100 });
    const running = s2.run(feeds);
    await rt.session('s3', src(3), { bytesHint: 100 }); // s2 is pinned, so this goes over budget
    expect(rt.has('s2')).toBe(true);
    expect(warnings.join('\n')).toContain('while other models are running');
    await rt.evict('s2');
    expect(rt.has('s2')).toBe(false);
    const rerun = s2.run(feeds); // reloads while the first run still holds the old ORT session
    expect(Array.from((await running).y.data as Float32Array)).toEqual([2, 4]);
    expect(Array.from((await rerun).y.data as Float32Array)).toEqual([2, 4]);
    expect(rt.has('s2')).toBe(true);
  });

  it('loads a model larger than the whole budget alone, with a warning', async () => {
    const rt = runtime({ budgetBytes: 150 });
    await rt.session('s2', src(2), { bytesHint: 100 });
    const big = await rt.session('s3', src(3), { bytesHint: 1000 });
    expect(rt.has('s2')).toBe(false);
    expect(rt.warnings.join('\n')).toMatch(/"s3" \(0\.0 MB\) is larger than the session budget/);
    expect(Array.from((await big.run(feeds)).y.data as Float32Array)).toEqual([3, 6]);
  });

  it('tells a holder of an evicted in-memory model to load it again', async () => {
    const rt = runtime({ budgetBytes: 150 });
    const s = await rt.session('mem', { bytes: scaleModel(2) }, { bytesHint: 100 });
    await rt.session('s3', src(3), { bytesHint: 100 });
    await expect(s.run(feeds)).rejects.toThrow(/evicted from the session cache.*runtime\.session\(\)/);
  });

  it('settles the provider before any model is loaded', async () => {
    const rt = runtime({ provider: 'cuda' });
    expect(rt.provider).toBe('cuda');
    expect(await rt.ready()).toBe(expectedGpu);
    expect(rt.warnings).toHaveLength(cudaInstalled ? 0 : 1);
    expect(await runtime().ready()).toBe('cpu');
  });

  it('falls back to CPU when CUDA cannot start, and says so', async () => {
    const rt = runtime({ provider: 'cuda' });
    const s = await rt.session('tiny', { bytes: tinyModel() });
    expect(s.provider).toBe(expectedGpu);
    expect(rt.provider).toBe(expectedGpu);
    if (!cudaInstalled) expect(rt.warnings[0]).toMatch(/CUDA execution provider unavailable, running on CPU/);
    const out = await s.run({ x: { data: Float32Array.from([1, 2, 3]), dims: [1, 3] }, ids: { data: BigInt64Array.of(1n), dims: [1] } });
    expect(outputFloat32(out.picked)).toEqual(Float32Array.from([20, 21]));
  });

  it('reports a broken model file as a load error naming the file', async () => {
    const bad = path.join(dir, 'bad.onnx');
    fs.writeFileSync(bad, 'not a model');
    await expect(runtime().session('bad', { path: bad })).rejects.toThrow(OnnxLoadError);
    await expect(runtime().session('bad', { path: bad })).rejects.toThrow(/cannot load model "bad" from .*bad\.onnx/);
    await expect(runtime().session('gone', { path: path.join(dir, 'gone.onnx') })).rejects.toThrow(/gone\.onnx: the file does not exist/);
  });

  it('releases everything on dispose', async () => {
    const rt = runtime();
    const s = await rt.session('s2', src(2));
    await rt.dispose();
    expect(rt.stats().sessions).toBe(0);
    await expect(s.run(feeds)).rejects.toThrow(/disposed/);
  });

  it('counts external weight files in a session size', async () => {
    const g = new GraphBuilder('ext');
    const x = g.input('x', 'float32', [1, 256]);
    g.output(g.op('Gemm', [x, g.initializer('w', new Float32Array(256 * 4).fill(0.5), [256, 4])], { attrs: { alpha: attr.float(2) } }), 'y', 'float32');
    const file = path.join(dir, 'ext', 'model.onnx');
    g.save(file, { externalData: { location: 'weights.pb' } });
    const s = await runtime().session('ext', { path: file });
    expect(s.bytes).toBe(fs.statSync(file).size + 4096);
    const out = await s.run({ x: { data: new Float32Array(256).fill(1), dims: [1, 256] } });
    expect(Array.from(out.y.data as Float32Array)).toEqual([256, 256, 256, 256]);
  });
});
