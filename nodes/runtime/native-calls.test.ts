// The hook a worker uses to send held-back messages before native code runs: ONNX Runtime runs and sharp calls
// call it first, so a crash inside them comes after the host heard which node was running.
import { afterEach, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../onnx/builder';
import { encodeImage, decodeImage } from './image';
import { onNativeCall } from './native-calls';
import { OnnxRuntime } from './onnx';

afterEach(() => onNativeCall(undefined));

function doubler(): Uint8Array {
  const g = new GraphBuilder('double');
  const x = g.input('x', 'float32', [2]);
  g.output(g.op('Add', [x, x]), 'y', 'float32', [2]);
  return g.toBytes();
}

describe('native calls', () => {
  it('an ONNX run calls the hook before the session runs, once per run', async () => {
    const rt = new OnnxRuntime({ provider: 'cpu', intraOpThreads: 1, budgetBytes: 1 << 20, onWarning: () => {} });
    try {
      const s = await rt.session('double', { bytes: doubler() });
      const order: string[] = [];
      onNativeCall(() => order.push(`hook ${rt.ortMs === 0 ? 'before any run' : 'after a run'}`));
      const out = await s.run({ x: { data: Float32Array.from([1, 2]), dims: [2] } });
      expect(Array.from(out.y.data as Float32Array)).toEqual([2, 4]);
      await s.run({ x: { data: Float32Array.from([3, 4]), dims: [2] } });
      expect(order).toEqual(['hook before any run', 'hook after a run']);
    } finally {
      await rt.dispose();
    }
  });

  it('sharp encodes and decodes call it; once removed, nothing does', async () => {
    let calls = 0;
    onNativeCall(() => calls++);
    const png = await encodeImage({ data: new Float32Array(3 * 4).fill(0.5), dims: [1, 3, 2, 2] }, { format: 'png' });
    expect(calls).toBe(1);
    const back = await decodeImage(png.bytes);
    expect(calls).toBe(2);
    expect(back.dims).toEqual([1, 3, 2, 2]);
    onNativeCall(undefined);
    await encodeImage(back, { format: 'png' });
    expect(calls).toBe(2);
  });
});
