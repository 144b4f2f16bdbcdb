// Folding nearest upsampling into the following conv: same output as the unfolded graph (borders included)
// for several factors and kernel sizes, and graphs it must not touch stay as they were.
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from './builder';
import { foldUpsampleConv } from './fold-upsample-conv';
import { readModel, writeModel } from './model-io';
import { OnnxRuntime, outputFloat32 } from '../runtime/onnx';
import { WeightRandom } from '../pack/tiny-sd/layers';

const rt = new OnnxRuntime({ provider: 'cpu', budgetBytes: 1 << 28, intraOpThreads: 1, onWarning: () => undefined });
afterAll(() => rt.dispose());

function upsampleConv(o: { scale: number; kernel: number; cin: number; cout: number; mode?: string; bias?: boolean }): Uint8Array {
  const rng = new WeightRandom(o.scale * 100 + o.kernel);
  const g = new GraphBuilder('upsample_conv');
  const x = g.input('x', 'float32', [1, o.cin, 'h', 'w']);
  const attrs: Record<string, string> = o.mode === 'linear'
    ? { mode: 'linear', coordinate_transformation_mode: 'asymmetric' }
    : { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' };
  const up = g.op('Resize', [x, null, g.constant([1, 1, o.scale, o.scale])], { name: '/up/Resize', attrs });
  const p = (o.kernel - 1) / 2;
  const inputs = [up, g.initializer('w', rng.values(o.cout * o.cin * o.kernel * o.kernel, 0.5), [o.cout, o.cin, o.kernel, o.kernel])];
  if (o.bias !== false) inputs.push(g.initializer('b', rng.values(o.cout, 0.5), [o.cout]));
  const y = g.op('Conv', inputs, { name: '/conv/Conv', attrs: { kernel_shape: [o.kernel, o.kernel], pads: [p, p, p, p], strides: [1, 1] } });
  g.output(y, 'y', 'float32');
  return g.toBytes();
}

async function run(bytes: Uint8Array, key: string, cin: number, h: number, w: number): Promise<Float32Array> {
  const data = Float32Array.from({ length: cin * h * w }, (_, i) => Math.sin(i * 0.61) + 0.3 * Math.cos(i * 0.17));
  const session = await rt.session(key, { bytes });
  return outputFloat32((await session.run({ x: { data, dims: [1, cin, h, w] } })).y);
}

describe('foldUpsampleConv', () => {
  for (const [scale, kernel] of [[2, 3], [3, 3], [4, 3], [4, 5], [2, 1]] as const) {
    it(`x${scale} nearest + ${kernel}x${kernel} conv equals a low-res conv + DepthToSpace`, async () => {
      const bytes = upsampleConv({ scale, kernel, cin: 5, cout: 3 });
      const model = readModel(bytes);
      expect(foldUpsampleConv(model).folded).toEqual(['/conv/Conv']);
      expect(model.graph!.node!.map((n) => n.opType)).toEqual(['Conv', 'DepthToSpace', 'Identity']);
      const conv = model.graph!.node![0];
      // 3x3 at any factor reaches one low-res pixel each way; 5x5 at x4 too; 1x1 stays 1x1.
      const k2 = kernel === 1 ? 1 : 3;
      expect(model.graph!.initializer!.find((t) => t.name === conv.input![1])!.dims!.map(Number)).toEqual([3 * scale * scale, 5, k2, k2]);
      // A 7x6 image (odd, not square) checks every border phase.
      const want = await run(bytes, `plain-${scale}-${kernel}`, 5, 7, 6);
      const got = await run(writeModel(model), `folded-${scale}-${kernel}`, 5, 7, 6);
      expect(got.length).toBe(want.length);
      let max = 0, peak = 0;
      for (let i = 0; i < want.length; i++) {
        max = Math.max(max, Math.abs(got[i] - want[i]));
        peak = Math.max(peak, Math.abs(want[i]));
      }
      expect(peak).toBeGreaterThan(0.5);
      expect(max).toBeLessThan(1e-5 * Math.max(1, peak)); // only float summation order differs
    });
  }

  it('leaves bilinear upsampling alone (its output is not a copy of low-res pixels)', () => {
    const model = readModel(upsampleConv({ scale: 2, kernel: 3, cin: 2, cout: 2, mode: 'linear' }));
    expect(foldUpsampleConv(model).folded).toEqual([]);
    expect(model.graph!.node!.map((n) => n.opType)).toEqual(['Resize', 'Conv', 'Identity']);
  });

  it('folds a conv without bias', async () => {
    const bytes = upsampleConv({ scale: 2, kernel: 3, cin: 2, cout: 4, bias: false });
    const model = readModel(bytes);
    expect(foldUpsampleConv(model).folded).toHaveLength(1);
    const want = await run(bytes, 'nobias-plain', 2, 4, 4);
    const got = await run(writeModel(model), 'nobias-folded', 2, 4, 4);
    expect(Math.max(...want.map((v, i) => Math.abs(v - got[i])))).toBeLessThan(1e-5);
  });
});
