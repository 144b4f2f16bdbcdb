import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../onnx/builder';
import { OnnxRuntime, outputFloat32, type ModelSession } from '../runtime/onnx';
import { writeSafetensors } from '../runtime/safetensors';
import { MergedSessionCache, type LoraStackEntry } from './merged-sessions';

let dir: string;
let rt: OnnxRuntime;
let onnxFile: string;
const X = Float32Array.from([1, 2, 3, 4]); // [1,4,1,1]

/** A 4->4 1x1 Conv named like the sprites U-Net's conv_out, weight in an external weights.pb. */
function writeBase(folder: string, scale = 1): string {
  const g = new GraphBuilder('base');
  const x = g.input('x', 'float32', [1, 4, 1, 1]);
  const w = new Float32Array(16);
  for (let i = 0; i < 4; i++) w[i * 5] = scale;
  g.output(g.op('Conv', [x, g.initializer('conv_out.weight', w, [4, 4, 1, 1])], { name: '/conv_out/Conv' }), 'y', 'float32', [1, 4, 1, 1]);
  const file = path.join(folder, 'model.onnx');
  g.save(file, { externalData: { location: 'weights.pb', threshold: 16 } });
  return file;
}

/** ΔW = up·down with up = e_row [4,1], down = e_col [1,4]: adds 1 at W[row, col]. */
function writeLora(name: string, row: number, col: number): LoraStackEntry {
  const file = path.join(dir, name);
  const up = new Float32Array(4);
  up[row] = 1;
  const down = new Float32Array(4);
  down[col] = 1;
  writeSafetensors(file, {
    'lora_unet_conv_out.lora_up.weight': { shape: [4, 1, 1, 1], data: up },
    'lora_unet_conv_out.lora_down.weight': { shape: [1, 4, 1, 1], data: down },
  });
  return { name, file, strength: 1 };
}

async function output(session: ModelSession): Promise<number[]> {
  return Array.from(outputFloat32((await session.run({ x: { data: X, dims: [1, 4, 1, 1] } })).y));
}

let A: LoraStackEntry;
let B: LoraStackEntry;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-merged-'));
  fs.mkdirSync(path.join(dir, 'unet'));
  onnxFile = writeBase(path.join(dir, 'unet'));
  A = writeLora('a.safetensors', 0, 3); // y0 += x3
  B = writeLora('b.safetensors', 1, 0); // y1 += x0
  rt = new OnnxRuntime({ provider: 'cpu', intraOpThreads: 1, budgetBytes: 1 << 30, onWarning: () => {} });
});
afterAll(async () => {
  await rt.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('MergedSessionCache', () => {
  it('switching A -> B -> A merges twice and reuses A\'s session the third time', async () => {
    const cache = new MergedSessionCache();
    const a1 = await cache.session(rt, { onnxFile, component: 'unet', loras: [A] });
    expect(await output(a1.session)).toEqual([1 + 4, 2, 3, 4]);
    const b = await cache.session(rt, { onnxFile, component: 'unet', loras: [B] });
    expect(await output(b.session)).toEqual([1, 2 + 1, 3, 4]);
    expect([cache.merges, cache.sessionLoads]).toEqual([2, 2]);
    const a2 = await cache.session(rt, { onnxFile, component: 'unet', loras: [A] });
    expect(a2.session).toBe(a1.session);
    expect(a2.report.patched).toEqual([{ initializer: 'conv_out.weight', node: '/conv_out/Conv', modules: ['a.safetensors: conv_out'] }]);
    expect([cache.merges, cache.sessionLoads]).toEqual([2, 2]);
  });

  it('keys by strength and stack order, and shares one merge between concurrent callers', async () => {
    const cache = new MergedSessionCache();
    const half = { ...A, strength: 0.5 };
    const [s1, s2] = await Promise.all([
      cache.session(rt, { onnxFile, component: 'unet', loras: [half, B] }),
      cache.session(rt, { onnxFile, component: 'unet', loras: [half, B] }),
    ]);
    expect(s1.session).toBe(s2.session);
    expect(cache.merges).toBe(1);
    expect(await output(s1.session)).toEqual([1 + 2, 2 + 1, 3, 4]);
    expect(cache.key({ onnxFile, component: 'unet', loras: [half, B] })).not.toBe(cache.key({ onnxFile, component: 'unet', loras: [B, half] }));
    expect(cache.key({ onnxFile, component: 'unet', loras: [A] })).not.toBe(cache.key({ onnxFile, component: 'unet', loras: [half] }));
    expect(cache.key({ onnxFile, component: 'unet', loras: [A] })).not.toBe(cache.key({ onnxFile, component: 'text_encoder', loras: [A] }));
  });

  it('merges again once the runtime evicted the merged session', async () => {
    const cache = new MergedSessionCache();
    const first = await cache.session(rt, { onnxFile, component: 'unet', loras: [B] });
    await rt.evict(first.key);
    expect(first.session.state).toBe('disposed');
    const again = await cache.session(rt, { onnxFile, component: 'unet', loras: [B] });
    expect(again.session).not.toBe(first.session);
    expect(await output(again.session)).toEqual([1, 3, 3, 4]);
    expect(cache.merges).toBe(2);
  });

  it('hands out a session handle that merges again after an eviction', async () => {
    const cache = new MergedSessionCache();
    const { handle } = await cache.handle(rt, { onnxFile, component: 'unet', loras: [A, B] });
    const out = async () => Array.from(outputFloat32((await handle.run({ x: { data: X, dims: [1, 4, 1, 1] } })).y));
    expect(await out()).toEqual([5, 3, 3, 4]);
    await rt.evict(handle.key);
    expect(await out()).toEqual([5, 3, 3, 4]);
    expect([cache.merges, cache.sessionLoads]).toEqual([2, 2]);
    expect(handle.inputs.map((i) => i.name)).toEqual(['x']);
  });

  it('keys by the content of the base weights, not just the file name', () => {
    const cache = new MergedSessionCache();
    const folder = fs.mkdtempSync(path.join(dir, 'other-'));
    const file = writeBase(folder, 1);
    const before = cache.key({ onnxFile: file, component: 'unet', loras: [A] });
    expect(before).toBe(cache.key({ onnxFile, component: 'unet', loras: [A] }));
    writeBase(folder, 2); // only weights.pb changes
    expect(cache.key({ onnxFile: file, component: 'unet', loras: [A] })).not.toBe(before);
  });
});
