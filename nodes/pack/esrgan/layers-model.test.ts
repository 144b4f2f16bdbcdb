import { describe, expect, it } from 'vitest';
import { parseLayersModel, readLayersModel, LayersModelError } from './layers-model';
import { esrganSlimModelJson } from './esrgan-slim';
import { float32ToFloat16 } from '../../runtime/float16';

const chain = {
  class_name: 'Sequential',
  config: { name: 'seq', layers: [{ class_name: 'Conv2D', config: { name: 'c', batch_input_shape: [null, null, null, 3] } }] },
};

describe('TF.js layers model reader', () => {
  it('reads esrgan-slim x4: 24 layers wired as a functional graph, 24 float32 weights', () => {
    const m = readLayersModel(esrganSlimModelJson(4));
    expect(m.name).toBe('generator');
    expect(m.layers).toHaveLength(24);
    expect(m.inputs).toEqual([['LR', 0, 0]]);
    expect(m.outputs).toEqual([['SR', 0, 0]]);
    expect(m.layers.find((l) => l.name === 'FDF')!.inboundNodes).toEqual([[['GFF_2', 0, 0], ['F_m1', 0, 0]]]);
    expect(m.weights.size).toBe(24);
    expect(m.weights.get('UPN1/kernel')!.shape).toEqual([5, 5, 64, 64]);
    // 233 451 float32 values = the 933 804-byte shard.
    expect([...m.weights.values()].reduce((n, w) => n + w.data.length, 0) * 4).toBe(933_804);
  });

  it('dequantises uint8/uint16 affine and float16 weights, and turns a Sequential model into a chain', () => {
    const u16 = new Uint16Array([0, 1000]);
    const f16 = float32ToFloat16([1.5, -2]);
    const bytes = new Uint8Array([0, 2, 4, ...new Uint8Array(u16.buffer), ...new Uint8Array(f16.buffer)]);
    const m = parseLayersModel({ modelTopology: chain, weightsManifest: [] }, [{
      specs: [
        { name: 'c/kernel', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
        { name: 'c/bias:0', shape: [2], dtype: 'float32', quantization: { dtype: 'uint16', scale: 0.001, min: 0 } },
        { name: 'c/extra', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
      ],
      bytes,
    }]);
    expect(Array.from(m.weights.get('c/kernel')!.data)).toEqual([-1, 0, 1]);
    expect(Array.from(m.weights.get('c/bias')!.data)).toEqual([0, Math.fround(1)]);
    expect(Array.from(m.weights.get('c/extra')!.data)).toEqual([1.5, -2]);
    expect(m.layers.map((l) => [l.className, l.inboundNodes])).toEqual([['InputLayer', []], ['Conv2D', [[['seq_input', 0, 0]]]]]);
    expect(m.outputs).toEqual([['c', 0, 0]]);
  });

  it('reports shards that do not match the manifest and non-layers formats', () => {
    const spec = { name: 'c/kernel', shape: [4], dtype: 'float32' };
    expect(() => parseLayersModel({ modelTopology: chain, weightsManifest: [] }, [{ specs: [spec], bytes: new Uint8Array(12) }], 'm.json'))
      .toThrow(/m.json: weight "c\/kernel" runs past the end/);
    expect(() => parseLayersModel({ modelTopology: chain, weightsManifest: [] }, [{ specs: [spec], bytes: new Uint8Array(20) }], 'm.json'))
      .toThrow(LayersModelError);
    expect(() => parseLayersModel({ format: 'graph-model', modelTopology: chain, weightsManifest: [] }, [])).toThrow(/not a TF.js layers model/);
  });
});
