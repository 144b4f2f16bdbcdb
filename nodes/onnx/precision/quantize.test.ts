// Dynamic int8 quantisation: the graph really holds MatMulInteger / ConvInteger with int8 weights (exact values
// checked), one DynamicQuantizeLinear per activation, and ONNX Runtime's result stays within the rounding the
// two 8-bit quantisers allow.
import { afterAll, describe, expect, it } from 'vitest';
import { attr, GraphBuilder } from '../builder';
import { getInitializerFloat32, readModel, writeModel } from '../model-io';
import type { ModelProto } from '../proto';
import { OnnxRuntime, outputFloat32 } from '../../runtime/onnx';
import { quantizeDynamic } from './quantize';
import { outputDifference } from './difference';

const rt = new OnnxRuntime({ provider: 'cpu', budgetBytes: 1 << 28, intraOpThreads: 1, onWarning: () => undefined });
afterAll(() => rt.dispose());

// Column 0 of W1 has max |w| = 1.26; weights use 7 bits ([-63, 63]), so its scale is 0.02 and 0.5 -> 25, -0.62 -> -31.
const W1 = Float32Array.from({ length: 8 * 4 }, (_, i) => (i === 0 ? 1.26 : i === 4 ? 0.5 : i === 8 ? -0.62 : i % 4 === 0 ? 0 : Math.sin(i) * 0.6));

/** x[2,8] -> MatMul W1[8,4] -> Relu -> Gemm(transB) W2[3,4] + b -> y[2,3]; a second MatMul multiplies two activations. */
function linearModel(): ModelProto {
  const g = new GraphBuilder('linear');
  const x = g.input('x', 'float32', [2, 8]);
  const h = g.op('Relu', [g.op('MatMul', [x, g.initializer('W1', W1, [8, 4])], { name: '/fc1/MatMul' })]);
  const W2 = Float32Array.from({ length: 12 }, (_, i) => Math.cos(i * 1.3) * 0.8);
  const y = g.op('Gemm', [h, g.initializer('W2', W2, [3, 4]), g.constant([0.1, 0.2, -0.3])], { name: '/fc2/Gemm', attrs: { transB: 1, alpha: attr.float(1), beta: attr.float(1) } });
  const gram = g.op('MatMul', [y, g.op('Transpose', [y], { attrs: { perm: [1, 0] } })], { name: '/gram/MatMul' });
  g.output(y, 'y', 'float32');
  g.output(gram, 'gram', 'float32');
  return readModel(g.toBytes());
}

function convModel(): ModelProto {
  const g = new GraphBuilder('conv');
  const x = g.input('x', 'float32', [1, 3, 6, 6]);
  const w = Float32Array.from({ length: 4 * 3 * 9 }, (_, i) => Math.sin(i * 0.7) * (1 + Math.floor(i / 27)));
  g.output(g.op('Conv', [x, g.initializer('w', w, [4, 3, 3, 3]), g.constant([0.5, -0.5, 0, 1])], { name: '/conv/Conv', attrs: { pads: [1, 1, 1, 1] } }), 'y', 'float32');
  return readModel(g.toBytes());
}

const ops = (m: ModelProto) => m.graph!.node!.map((n) => n.opType!);
const count = (m: ModelProto, op: string) => ops(m).filter((o) => o === op).length;

async function run(m: ModelProto, key: string, feeds: Record<string, { data: Float32Array; dims: number[] }>, output: string) {
  const s = await rt.session(key, { bytes: writeModel(m) });
  return outputFloat32((await s.run(feeds))[output]);
}

describe('quantizeDynamic', () => {
  it('turns weighted MatMul and Gemm into MatMulInteger with per-column int8 weights', () => {
    const { model, report } = quantizeDynamic(linearModel());
    expect(report.quantized).toEqual([{ node: '/fc1/MatMul', op: 'MatMul' }, { node: '/fc2/Gemm', op: 'Gemm' }]);
    expect(report.skipped).toEqual([{ node: '/gram/MatMul', op: 'MatMul', reason: 'its weight is not a float32 initializer' }]);
    expect([count(model, 'MatMulInteger'), count(model, 'DynamicQuantizeLinear'), count(model, 'Gemm'), count(model, 'MatMul')]).toEqual([2, 2, 0, 1]);
    const w = model.graph!.initializer!.find((t) => t.name === '/fc1/MatMul/weight_quantized')!;
    const q = new Int8Array(Uint8Array.from(w.rawData!).buffer);
    expect([q[0], q[4], q[8], q[12]]).toEqual([63, 25, -31, 0]);
    expect(getInitializerFloat32(model, '/fc1/MatMul/weight_scale')[0]).toBeCloseTo(0.02, 7);
    // The float weights are gone: the file holds int8.
    expect(model.graph!.initializer!.some((t) => t.name === 'W1' || t.name === 'W2')).toBe(false);
  });

  it('runs within the rounding of 8-bit activations and weights', async () => {
    const data = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i * 0.9));
    const feeds = { x: { data, dims: [2, 8] } };
    const ref = await run(linearModel(), 'lin-f32', feeds, 'y');
    const q = await run(quantizeDynamic(linearModel()).model, 'lin-q', feeds, 'y');
    const d = outputDifference(ref, q);
    expect(d.maxAbs).toBeGreaterThan(0);
    // fc1: 8 terms, |x| <= 1 on a 2/255 step, weights <= 1.27 on a 1.27/127 step: each term is off by at most
    // 1.27 * 1/255 + 1 * 0.005, i.e. 0.09 over 8 terms; fc2 adds 4 terms of at most 0.8 · (its input step)/2.
    // Random-sign rounding errors average out far below that worst case: assert a tenth of it.
    // Measured: 0.0078 max, 46 dB.
    expect(d.maxAbs).toBeLessThan(0.03);
    expect(d.psnr).toBeGreaterThan(40);
  });

  it('turns Conv into ConvInteger with one scale per filter, bias added after rescaling', async () => {
    const { model, report } = quantizeDynamic(convModel());
    expect(report.quantized).toEqual([{ node: '/conv/Conv', op: 'Conv' }]);
    expect(ops(model)).toEqual(['DynamicQuantizeLinear', 'ConvInteger', 'Mul', 'Cast', 'Mul', 'Add', 'Identity']);
    // Filter o's weights reach (1 + o) · ~1, so the four scales grow with o.
    const scales = getInitializerFloat32(model, '/conv/Conv/weight_scale');
    expect(scales.length).toBe(4);
    expect(scales[3]).toBeGreaterThan(scales[0] * 2);
    const data = Float32Array.from({ length: 108 }, (_, i) => Math.cos(i * 0.37));
    const feeds = { x: { data, dims: [1, 3, 6, 6] } };
    const ref = await run(convModel(), 'conv-f32', feeds, 'y');
    const d = outputDifference(ref, await run(model, 'conv-q', feeds, 'y'));
    // Outputs reach ~15; measured 0.067 max (66 dB). Padding must be the activation zero point, not 0: a zero
    // byte means -1 here (x in [-1, 1]) and would put the border pixels off by about the sum of their weights.
    expect(d.maxAbs).toBeLessThan(0.1);
    expect(d.psnr).toBeGreaterThan(55);
  });

  it('leaves excluded nodes and unselected op types in float32', () => {
    const { model, report } = quantizeDynamic(linearModel(), { ops: ['MatMul'], exclude: (n) => n.name === '/fc1/MatMul' });
    expect(report.quantized).toEqual([]);
    expect(report.skipped.map((s) => s.reason)).toEqual(['excluded', 'its weight is not a float32 initializer']);
    expect(count(model, 'Gemm')).toBe(1);
    expect(count(model, 'MatMulInteger')).toBe(0);
  });
});
