// float16 conversion: what becomes half, what must stay float32 (Resize scales, kept nodes), Cast nodes at the
// borders, and outputs within float16's rounding of the float32 graph's when run by ONNX Runtime.
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../builder';
import { readModel, writeModel } from '../model-io';
import { elemTypeOfCode, type ModelProto } from '../proto';
import { OnnxRuntime, outputFloat32 } from '../../runtime/onnx';
import { convertToFloat16 } from './float16';
import { outputDifference } from './difference';

const rt = new OnnxRuntime({ provider: 'cpu', budgetBytes: 1 << 28, intraOpThreads: 1, onWarning: () => undefined });
afterAll(() => rt.dispose());

/**
 * conv(x) upsampled x2, plus sin(t · 0.7): a timestep-like branch whose argument (up to ~700) float16 cannot
 * hold to better than 0.25, the reason converters leave such nodes in float32.
 */
function model(): ModelProto {
  const g = new GraphBuilder('f16');
  const x = g.input('x', 'float32', [1, 2, 4, 4]);
  const t = g.input('t', 'int64', [1]);
  const w = Float32Array.from({ length: 3 * 2 * 9 }, (_, i) => Math.sin(i) * 0.4);
  const conv = g.op('Conv', [x, g.initializer('w', w, [3, 2, 3, 3]), g.constant([0.1, -0.2, 0.3])], { name: '/conv/Conv', attrs: { pads: [1, 1, 1, 1] } });
  const up = g.op('Resize', [conv, null, g.constant([1, 1, 2, 2], [4], 'scales')], {
    name: '/up/Resize', attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' },
  });
  const tf = g.op('Cast', [t], { name: '/time/Cast', attrs: { to: 1 } });
  const phase = g.op('Sin', [g.op('Mul', [tf, g.constant([0.7], [1], 'freq')], { name: '/time/Mul' })], { name: '/time/Sin' });
  g.output(g.op('Add', [up, phase], { name: '/out/Add' }), 'y', 'float32');
  return readModel(g.toBytes());
}

const x = Float32Array.from({ length: 32 }, (_, i) => Math.cos(i * 0.5));
async function run(m: ModelProto, key: string): Promise<Float32Array> {
  const s = await rt.session(key, { bytes: writeModel(m) });
  return outputFloat32((await s.run({ x: { data: x, dims: [1, 2, 4, 4] }, t: { data: BigInt64Array.of(999n), dims: [1] } })).y);
}

const typeOf = (m: ModelProto, name: string) => elemTypeOfCode(m.graph!.initializer!.find((i) => i.name === name)?.dataType ?? 0);
const ioTypes = (m: ModelProto) => [...m.graph!.input!, ...m.graph!.output!].map((v) => `${v.name}:${elemTypeOfCode(v.type!.tensorType!.elemType!)}`);
const keepTime = { keepFloat32: (n: { name?: string | null }) => (n.name ?? '').startsWith('/time/') };

describe('convertToFloat16', () => {
  it('halves weights, activations, inputs and outputs; Resize scales stay float32 as ONNX requires', () => {
    const { model: half, report } = convertToFloat16(model());
    expect(ioTypes(half)).toEqual(['x:float16', 't:int64', 'y:float16']);
    expect(typeOf(half, 'w')).toBe('float16');
    expect(typeOf(half, 'freq')).toBe('float16');
    expect(typeOf(half, 'scales')).toBe('float32');
    const cast = half.graph!.node!.find((n) => n.name === '/time/Cast')!;
    expect(Number(cast.attribute![0].i)).toBe(10); // to FLOAT16
    expect(report).toMatchObject({ halfNodes: 7, float32Nodes: 0, casts: 0, clamped: [] });
  });

  it('keeps chosen nodes in float32 with Cast nodes where they meet half tensors', () => {
    const { model: half, report } = convertToFloat16(model(), keepTime);
    expect(typeOf(half, 'freq')).toBe('float32');
    expect(Number(half.graph!.node!.find((n) => n.name === '/time/Cast')!.attribute![0].i)).toBe(1);
    // sin(...) is float32 and the half Add reads it through one Cast to float16.
    const add = half.graph!.node!.find((n) => n.name === '/out/Add')!;
    const castIn = half.graph!.node!.find((n) => n.output![0] === add.input![1])!;
    expect(castIn.opType).toBe('Cast');
    expect(Number(castIn.attribute![0].i)).toBe(10);
    expect(report).toMatchObject({ halfNodes: 4, float32Nodes: 3, casts: 1 });
  });

  it('keepIoTypes: float32 in and out, half inside', async () => {
    const { model: half } = convertToFloat16(model(), { ...keepTime, keepIoTypes: true });
    expect(ioTypes(half)).toEqual(['x:float32', 't:int64', 'y:float32']);
    expect(typeOf(half, 'w')).toBe('float16');
    expect(half.graph!.node!.at(-1)).toMatchObject({ opType: 'Cast', output: ['y'] });
    const d = outputDifference(await run(model(), 'io-f32'), await run(half, 'io-f16'));
    expect(d.maxAbs).toBeGreaterThan(0);
    expect(d.maxAbs).toBeLessThan(5e-3);
  });

  it('runs in ONNX Runtime within float16 rounding of float32, and only with the timestep branch kept', async () => {
    const ref = await run(model(), 'f32');
    const kept = outputDifference(ref, await run(convertToFloat16(model(), keepTime).model, 'f16-kept'));
    // Values reach ~2.5; float16 keeps 11 significant bits (relative step 2^-11 ≈ 4.9e-4) over three roundings.
    expect(kept.maxAbs).toBeGreaterThan(0); // it did compute in half
    expect(kept.maxAbs).toBeLessThan(5e-3);
    const all = outputDifference(ref, await run(convertToFloat16(model()).model, 'f16-all'));
    // 999 · 0.7 in float16: 0.7 is stored as 0.7002, the product rounds to a multiple of 0.5 -> phase off by ~0.2.
    expect(all.maxAbs).toBeGreaterThan(0.05);
  });

  it('clamps weights beyond float16 range instead of writing infinities', () => {
    const g = new GraphBuilder('big');
    const x = g.input('x', 'float32', [1, 2]);
    g.output(g.op('Add', [x, g.initializer('mask', Float32Array.of(-1e9, 3), [2])]), 'y', 'float32');
    const { model: half, report } = convertToFloat16(readModel(g.toBytes()));
    expect(report.clamped).toEqual(['mask']);
    const bits = new Uint16Array(Uint8Array.from(half.graph!.initializer![0].rawData!).buffer);
    expect([...bits]).toEqual([0xfbff, 0x4200]); // -65504, 3
  });
});
