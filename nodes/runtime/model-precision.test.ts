// Precision per listed model: a checkpoint by its U-Net, an ONNX file by itself, nothing for LoRAs or
// unreadable files, and a replaced file read again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../onnx/builder';
import { readModel, writeModel } from '../onnx/model-io';
import { convertToFloat16 } from '../onnx/precision/float16';
import { quantizeDynamic } from '../onnx/precision/quantize';
import { ModelStore } from './models';
import { modelPrecision, precisionByName } from './model-precision';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-model-precision-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function linear() {
  const g = new GraphBuilder('m');
  const x = g.input('x', 'float32', [1, 16]);
  g.output(g.op('MatMul', [x, g.initializer('w', new Float32Array(256).fill(0.1), [16, 16])]), 'y', 'float32');
  return readModel(g.toBytes());
}

function write(rel: string, bytes: Uint8Array | string): void {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
}

describe('model precision for the picker', () => {
  it('reads checkpoints by their U-Net (or SD3-style transformer) and ONNX files by themselves', () => {
    write('checkpoints/half/model_index.json', '{}');
    write('checkpoints/half/unet/model.onnx', writeModel(convertToFloat16(linear()).model));
    write('checkpoints/broken/model_index.json', '{}');
    write('checkpoints/flow/model_index.json', '{}');
    write('checkpoints/flow/transformer/model.onnx', writeModel(quantizeDynamic(linear()).model));
    write('upscalers/plain.onnx', writeModel(linear()));
    write('upscalers/small.onnx', writeModel(quantizeDynamic(linear()).model));
    write('upscalers/junk.onnx', 'not a model');
    write('loras/style.safetensors', 'whatever');
    const store = new ModelStore(root);
    expect(precisionByName(store, 'checkpoints', store.list('checkpoints'))).toEqual({ half: 'fp16', flow: 'int8' });
    expect(store.list('upscalers')).toEqual(['junk.onnx', 'plain.onnx', 'small.onnx']);
    expect(precisionByName(store, 'upscalers', store.list('upscalers'))).toEqual({ 'plain.onnx': 'fp32', 'small.onnx': 'int8' });
    expect(modelPrecision(store, 'loras', 'style.safetensors')).toBeUndefined();
    expect(modelPrecision(store, 'upscalers', '../checkpoints/half/unet/model.onnx')).toBeUndefined();
  });

  it('reads a replaced file again', () => {
    const store = new ModelStore(root);
    write('upscalers/swap.onnx', writeModel(linear()));
    expect(modelPrecision(store, 'upscalers', 'swap.onnx')).toBe('fp32');
    write('upscalers/swap.onnx', writeModel(quantizeDynamic(linear()).model)); // another size: another version
    expect(modelPrecision(store, 'upscalers', 'swap.onnx')).toBe('int8');
  });
});
