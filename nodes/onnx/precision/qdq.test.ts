// Static QDQ quantisation and its calibration: ranges rounded outward, Q/DQ pairs where ONNX Runtime can fuse
// them (Relu folded into a zero point of 0, moved tensors sharing their source's scale), int8 weights and int32
// biases at the scales QLinearConv expects, and outputs within the calibrated step of the float32 graph.
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../builder';
import { getInitializerFloat32, readModel, writeModel } from '../model-io';
import type { ModelProto } from '../proto';
import { OnnxRuntime, outputFloat32 } from '../../runtime/onnx';
import { RangeCollector, withTensorOutputs, type TensorRange } from './calibration';
import { outputDifference } from './difference';
import { quantizeStatic } from './qdq';

const rt = new OnnxRuntime({ provider: 'cpu', budgetBytes: 1 << 28, intraOpThreads: 1, onWarning: () => undefined });
afterAll(() => rt.dispose());

/** conv1 -> relu -> conv2 -> + relu (residual) -> nearest x2 -> y */
function model(): ModelProto {
  const g = new GraphBuilder('cnn');
  const x = g.input('x', 'float32', [1, 3, 'h', 'w']);
  const w1 = Float32Array.from({ length: 4 * 3 * 9 }, (_, i) => Math.sin(i * 0.9) * 0.5);
  const w2 = Float32Array.from({ length: 4 * 4 * 9 }, (_, i) => Math.cos(i * 0.4) * 0.3);
  const c1 = g.op('Conv', [x, g.initializer('w1', w1, [4, 3, 3, 3]), g.initializer('b1', Float32Array.of(0.1, 0.2, 0.3, 0.4), [4])], { name: '/conv1/Conv', attrs: { pads: [1, 1, 1, 1] } });
  const r = g.op('Relu', [c1], { name: '/relu/Relu' });
  const c2 = g.op('Conv', [r, g.initializer('w2', w2, [4, 4, 3, 3])], { name: '/conv2/Conv', attrs: { pads: [1, 1, 1, 1] } });
  const sum = g.op('Add', [c2, r], { name: '/res/Add' });
  const up = g.op('Resize', [sum, null, g.constant([1, 1, 2, 2])], { name: '/up/Resize', attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' } });
  g.output(up, 'y', 'float32');
  return readModel(g.toBytes());
}

const image = (seed: number) => ({ data: Float32Array.from({ length: 3 * 64 }, (_, i) => 0.5 + 0.5 * Math.sin(i * 0.37 + seed)), dims: [1, 3, 8, 8] });

async function calibrate(m: ModelProto): Promise<Map<string, TensorRange>> {
  const { model: probe, tensors } = withTensorOutputs(m);
  const s = await rt.session('probe', { bytes: writeModel(probe) });
  const collector = new RangeCollector();
  // Phases 0, 0.5, ... 6 cover the sinusoid's cycle: the measured image (phase 4.25) lies inside the ranges.
  for (let seed = 0; seed <= 6; seed += 0.5) {
    collector.add('x', image(seed).data); // graph inputs are feeds, not outputs: the caller records them
    const out = await s.run({ x: image(seed) });
    for (const name of tensors) collector.add(name, outputFloat32(out[name]));
  }
  return collector.ranges();
}

describe('calibration', () => {
  it('exposes every float tensor a node makes as an output', () => {
    const { model: probe, tensors } = withTensorOutputs(model());
    expect(tensors).toEqual(['/conv1/Conv_output_0', '/relu/Relu_output_0', '/conv2/Conv_output_0', '/res/Add_output_0', '/up/Resize_output_0', 'y']);
    expect(probe.graph!.output!.map((o) => o.name)).toEqual(['y', ...tensors.slice(0, -1)]);
  });

  it('rounds ranges outward to 1/32 of their power of two and always includes 0', () => {
    const c = new RangeCollector();
    c.add('a', [0.3, 5.1]);
    c.add('b', [-0.3, -0.1]);
    c.add('b', [-0.2, 0.75]);
    // 5.1 in [4, 8): step 1/8 -> 5.125. -0.3 in [0.25, 0.5): step 1/128 -> -39/128. 0.75 in [0.5, 1): step 1/64.
    expect(Object.fromEntries(c.ranges())).toEqual({ a: { min: 0, max: 5.125 }, b: { min: -39 / 128, max: 0.75 } });
  });
});

describe('quantizeStatic', () => {
  it('places Q/DQ for ONNX Runtime fusion: int8 weights per filter, int32 bias, Relu as a zero point of 0', async () => {
    const base = model();
    const ranges = await calibrate(base);
    const { model: q, report } = quantizeStatic(base, ranges);
    expect(report.quantized.map((n) => n.node)).toEqual(['/conv1/Conv', '/conv2/Conv', '/res/Add', '/up/Resize']);
    expect(report.fusedRelu).toEqual(['/relu/Relu']);
    const ops = q.graph!.node!.map((n) => n.opType);
    expect(ops.filter((o) => o === 'QuantizeLinear').length).toBe(5); // x, relu, conv2, add, resize
    expect(ops.filter((o) => o === 'DequantizeLinear').length).toBe(8); // those 5, plus w1, b1 and w2
    const init = (name: string) => q.graph!.initializer!.find((t) => t.name === name)!;
    expect(init('w1/quantized').dataType).toBe(3); // int8
    expect(init('b1/quantized').dataType).toBe(6); // int32
    // Bias scale = input scale × weight scale, so QLinearConv adds it straight to the int32 accumulator.
    const xScale = getInitializerFloat32(q, 'x/scale')[0];
    const wScale = getInitializerFloat32(q, 'w1/scale');
    expect([...getInitializerFloat32(q, 'b1/scale')]).toEqual([...wScale].map((s) => Math.fround(xScale * s)));
    // The Relu's uint8 range starts at 0: zero point 0 clamps negatives exactly as Relu does.
    expect([...init('/relu/Relu_output_0/zero_point').rawData!]).toEqual([0]);
    // Resize only moves values: its output uses its input's scale, so ORT resizes the uint8 tensor directly.
    const resizeQ = q.graph!.node!.find((n) => n.name === '/up/Resize_output_0/QuantizeLinear')!;
    expect(resizeQ.input![1]).toBe('/res/Add_output_0/scale');
  });

  it('runs within a few calibrated steps of float32', async () => {
    const base = model();
    const ranges = await calibrate(base);
    const { model: q } = quantizeStatic(base, ranges);
    const input = { x: image(4.25) };
    const ref = outputFloat32((await (await rt.session('ref', { bytes: writeModel(base) })).run(input)).y);
    const got = outputFloat32((await (await rt.session('qdq', { bytes: writeModel(q) })).run(input)).y);
    const step = (ranges.get('y')!.max - ranges.get('y')!.min) / 255;
    const d = outputDifference(ref, got);
    expect(d.maxAbs).toBeGreaterThan(0);
    // Measured 0.055, 2.2 steps of the output's range: relu, conv2 and add each round to half a step of their
    // own range, and conv2 sums its input's rounding over 36 taps. Outside the calibrated ranges values would
    // clip instead (phases 1-3 alone put this image's conv2 output 0.37 off).
    expect(d.maxAbs).toBeLessThan(3 * step);
    expect(d.psnr).toBeGreaterThan(35);
  });

  it('leaves excluded ops in float32 and says which range is missing', async () => {
    const base = model();
    const ranges = await calibrate(base);
    const { report } = quantizeStatic(base, ranges, { exclude: (n) => n.name === '/conv2/Conv' });
    expect(report.quantized.map((n) => n.node)).toEqual(['/conv1/Conv', '/res/Add', '/up/Resize']);
    ranges.delete('x');
    expect(quantizeStatic(base, ranges).report.quantized.map((n) => n.node)).toEqual(['/conv2/Conv', '/res/Add', '/up/Resize']);
  });
});
