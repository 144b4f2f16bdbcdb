// Precision detection from the file alone: float types by the weights of Conv/MatMul/Gemm, quantised graphs by
// their ops, weights in a side file never read, and anything unreadable answered with undefined.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../builder';
import { readModel, writeModel } from '../model-io';
import { saveModel } from '../model-file';
import { float32ToFloat16 } from '../../runtime/float16';
import { detectPrecision } from './detect';
import { convertToFloat16 } from './float16';
import { quantizeDynamic } from './quantize';
import { quantizeStatic } from './qdq';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-precision-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A MatMul on 64x64 weights plus a big float16 lookup table (like the tiny text encoder's token table). */
function model(withTable: boolean) {
  const g = new GraphBuilder('m');
  const x = g.input('x', 'float32', [1, 64]);
  let y = g.op('MatMul', [x, g.initializer('w', new Float32Array(64 * 64).fill(0.01), [64, 64])]);
  if (withTable) {
    const row = g.op('Gather', [g.initializer('table', float32ToFloat16(new Float32Array(1000 * 64)), [1000, 64]), g.int64s([0])], { attrs: { axis: 0 } });
    y = g.op('Add', [y, g.op('Cast', [row], { attrs: { to: 1 } })]);
  }
  g.output(y, 'y', 'float32');
  return readModel(g.toBytes());
}

function save(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('detectPrecision', () => {
  it('names float32, float16 and int8 (dynamic and QDQ) models', () => {
    expect(detectPrecision(save('f32.onnx', writeModel(model(false))))).toBe('fp32');
    expect(detectPrecision(save('f16.onnx', writeModel(convertToFloat16(model(false)).model)))).toBe('fp16');
    expect(detectPrecision(save('dyn.onnx', writeModel(quantizeDynamic(model(false)).model)))).toBe('int8');
    const ranges = new Map([['x', { min: -1, max: 1 }], [model(false).graph!.node![0].output![0], { min: -1, max: 1 }]]);
    const qdq = quantizeStatic(model(false), ranges).model;
    expect(qdq.graph!.node!.some((n) => n.opType === 'QuantizeLinear')).toBe(true);
    expect(detectPrecision(save('qdq.onnx', writeModel(qdq)))).toBe('int8');
  });

  it('goes by the weights that compute: a float16 lookup table does not make a float32 model fp16', () => {
    // 64k float16 table elements against 4k float32 MatMul weights.
    expect(detectPrecision(save('table.onnx', writeModel(model(true))))).toBe('fp32');
  });

  it('reads only the graph: weights in a missing side file do not matter', () => {
    const file = path.join(dir, 'ext', 'model.onnx');
    saveModel(convertToFloat16(model(false)).model, file, { externalData: { location: 'weights.pb' } });
    expect(fs.statSync(path.join(dir, 'ext', 'weights.pb')).size).toBe(64 * 64 * 2);
    fs.rmSync(path.join(dir, 'ext', 'weights.pb'));
    expect(detectPrecision(file)).toBe('fp16');
  });

  it('answers undefined for files that are not ONNX models', () => {
    expect(detectPrecision(save('text.onnx', new TextEncoder().encode('not a real model')))).toBeUndefined();
    const bytes = writeModel(model(false));
    expect(detectPrecision(save('cut.onnx', bytes.subarray(0, bytes.length - 9000)))).toBeUndefined();
    expect(detectPrecision(path.join(dir, 'missing.onnx'))).toBeUndefined();
  });
});
