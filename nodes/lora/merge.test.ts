import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../onnx/builder';
import { getInitializerFloat32, listInitializers, readModel } from '../onnx/model-io';
import { OnnxRuntime, outputFloat32 } from '../runtime/onnx';
import { float16ToFloat32, float32ToFloat16 } from '../runtime/float16';
import { encodeSafetensors, parseSafetensors, type TensorToWrite } from '../runtime/safetensors';
import { loraFromSafetensors, type LoraFile } from './lora-file';
import { mergeLoras } from './merge';
import { serialiseMerged } from './merged-model';

/** Deterministic pseudo-random values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) % 1);
}

function lora(tensors: Record<string, TensorToWrite>): LoraFile {
  return loraFromSafetensors(parseSafetensors(encodeSafetensors(tensors), 'test.safetensors'));
}

let rt: OnnxRuntime;
let dir: string;
beforeAll(() => {
  rt = new OnnxRuntime({ provider: 'cpu', intraOpThreads: 1, budgetBytes: 1 << 30, onWarning: () => {} });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-merge-'));
});
afterAll(async () => {
  await rt.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

let runs = 0;
async function run(bytes: Uint8Array, feeds: Record<string, { data: Float32Array; dims: number[] }>, externalDataDir?: string): Promise<Float32Array> {
  const s = await rt.session(`merge-test-${runs++}`, { bytes }, { externalDataDir });
  const out = await s.run(feeds);
  return outputFloat32(Object.values(out)[0]);
}

describe('Conv 1x1 (conv_out), kohya keys', () => {
  const W0 = Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]); // identity [4,4,1,1]
  const B = Float32Array.from([0.1, -0.2, 0.3, 0]);
  const down = values(8, 1); // [2,4,1,1]
  const up = values(8, 2); // [4,2,1,1]
  const X = values(16, 3); // [1,4,2,2]

  function model(): Uint8Array {
    const g = new GraphBuilder('conv');
    const x = g.input('x', 'float32', [1, 4, 2, 2]);
    const y = g.op('Conv', [x, g.initializer('conv_out.weight', W0, [4, 4, 1, 1]), g.initializer('conv_out.bias', B, [4])], { name: '/conv_out/Conv' });
    g.output(y, 'y', 'float32', [1, 4, 2, 2]);
    return g.toBytes();
  }

  /** y[o, p] = sum_i (I + s·alpha/r·up·down)[o, i] x[i, p] + b[o], written out directly. */
  function reference(scale: number): number[] {
    const out: number[] = [];
    for (let o = 0; o < 4; o++) {
      for (let p = 0; p < 4; p++) {
        let v = B[o];
        for (let i = 0; i < 4; i++) {
          const delta = up[o * 2] * down[i] + up[o * 2 + 1] * down[4 + i];
          v += ((o === i ? 1 : 0) + scale * delta) * X[i * 4 + p];
        }
        out.push(v);
      }
    }
    return out;
  }

  it.each([[1, 1], [0.5, 1], [-2, 1], [1, 2]])('strength %d with alpha %d over rank 2 matches the hand-computed output', async (strength, alpha) => {
    const m = readModel(model());
    const file = lora({
      'lora_unet_conv_out.lora_down.weight': { shape: [2, 4, 1, 1], data: down },
      'lora_unet_conv_out.lora_up.weight': { shape: [4, 2, 1, 1], data: up },
      'lora_unet_conv_out.alpha': { shape: [], data: Float32Array.of(alpha) },
    });
    const report = mergeLoras(m, 'unet', [{ name: 'palette', lora: file, strength }]);
    expect(report.patched).toEqual([{ initializer: 'conv_out.weight', node: '/conv_out/Conv', modules: ['palette: conv_out'] }]);
    expect(report.issues).toEqual([]);
    const y = await run(serialiseMerged(m, dir).bytes, { x: { data: X, dims: [1, 4, 2, 2] } });
    reference(strength * alpha / 2).forEach((v, i) => expect(y[i]).toBeCloseTo(v, 5));
  });

  it('defaults alpha to the rank (scale 1) when the file has none', () => {
    const m = readModel(model());
    mergeLoras(m, 'unet', [{ name: 'x', strength: 1, lora: lora({
      'lora_unet_conv_out.lora_down.weight': { shape: [2, 4, 1, 1], data: down },
      'lora_unet_conv_out.lora_up.weight': { shape: [4, 2, 1, 1], data: up },
    }) }]);
    const w = getInitializerFloat32(m, 'conv_out.weight');
    expect(w[1]).toBeCloseTo(up[0] * down[1] + up[1] * down[5], 6); // W[0,1]
  });

  it('stacks LoRAs: the sum of both deltas', () => {
    const m = readModel(model());
    const make = (scaleUp: number) => lora({
      'lora_unet_conv_out.lora_down.weight': { shape: [2, 4, 1, 1], data: down },
      'lora_unet_conv_out.lora_up.weight': { shape: [4, 2, 1, 1], data: up.map((v) => v * scaleUp) },
    });
    mergeLoras(m, 'unet', [{ name: 'a', strength: 1, lora: make(1) }, { name: 'b', strength: 0.5, lora: make(2) }]);
    const w = getInitializerFloat32(m, 'conv_out.weight');
    expect(w[1]).toBeCloseTo(2 * (up[0] * down[1] + up[1] * down[5]), 6);
    expect(w[0]).toBeCloseTo(1 + 2 * (up[0] * down[0] + up[1] * down[4]), 6);
  });
});

describe('MatMul and Gemm weights (transposed and not), diffusers and PEFT keys', () => {
  // torch weights [out=2, in=3]
  const Wq = values(6, 4);
  const Wt = values(6, 5);
  const Wg = values(6, 6);
  const X = values(3, 7);
  const transpose = (w: Float32Array) => Float32Array.from([0, 1, 2].flatMap((i) => [w[i], w[3 + i]])); // [3,2]

  function model(): Uint8Array {
    const g = new GraphBuilder('linear');
    const x = g.input('x', 'float32', [1, 3]);
    const q = g.op('MatMul', [x, g.initializer('onnx::MatMul_9001', transpose(Wq), [3, 2])], { name: '/down_blocks.0/attentions.0/transformer_blocks.0/attn1/to_q/MatMul' });
    const t = g.op('Gemm', [x, g.initializer('time_embedding.linear_1.weight', Wt, [2, 3])], { name: '/time_embedding/linear_1/Gemm', attrs: { transB: 1 } });
    const k = g.op('Gemm', [x, g.initializer('onnx::Gemm_12', transpose(Wg), [3, 2])], { name: '/time_embedding/linear_2/Gemm' });
    g.output(g.op('Add', [g.op('Add', [q, t]), k]), 'y', 'float32', [1, 2]);
    return g.toBytes();
  }

  it('adds the delta in torch layout, transposed where the initializer is [in, out]', async () => {
    const d = [values(3, 8), values(3, 9), values(3, 10)]; // down [1,3] each
    const u = [values(2, 11), values(2, 12), values(2, 13)]; // up [2,1] each
    const file = lora({
      'unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.lora.down.weight': { shape: [1, 3], data: d[0] },
      'unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.lora.up.weight': { shape: [2, 1], data: u[0] },
      'base_model.model.time_embedding.linear_1.lora_A.weight': { shape: [1, 3], data: d[1] },
      'base_model.model.time_embedding.linear_1.lora_B.weight': { shape: [2, 1], data: u[1] },
      'base_model.model.time_embedding.linear_2.lora_A.weight': { shape: [1, 3], data: d[2] },
      'base_model.model.time_embedding.linear_2.lora_B.weight': { shape: [2, 1], data: u[2] },
    });
    const m = readModel(model());
    const report = mergeLoras(m, 'unet', [{ name: 'mixed', lora: file, strength: 0.7 }]);
    expect(report.patched.map((p) => p.initializer).sort()).toEqual(['onnx::Gemm_12', 'onnx::MatMul_9001', 'time_embedding.linear_1.weight']);
    const y = await run(serialiseMerged(m, dir).bytes, { x: { data: X, dims: [1, 3] } });
    for (let j = 0; j < 2; j++) {
      let v = 0;
      for (let i = 0; i < 3; i++) {
        for (const [w, k] of [[Wq, 0], [Wt, 1], [Wg, 2]] as const) v += X[i] * (w[j * 3 + i] + 0.7 * u[k][j] * d[k][i]);
      }
      expect(y[j]).toBeCloseTo(v, 5);
    }
  });

  it('reports keys that match no weight and modules whose dimensions differ', () => {
    const m = readModel(model());
    const report = mergeLoras(m, 'unet', [{ name: 'wrong', strength: 1, lora: lora({
      'lora_unet_down_blocks_9_attentions_0_proj_in.lora_down.weight': { shape: [1, 3], data: values(3, 1) },
      'lora_unet_down_blocks_9_attentions_0_proj_in.lora_up.weight': { shape: [2, 1], data: values(2, 1) },
      'lora_unet_time_embedding_linear_1.lora_down.weight': { shape: [1, 5], data: values(5, 1) },
      'lora_unet_time_embedding_linear_1.lora_up.weight': { shape: [2, 1], data: values(2, 1) },
      'lora_te_text_model_encoder_layers_0_mlp_fc1.lora_down.weight': { shape: [1, 3], data: values(3, 1) },
      'lora_te_text_model_encoder_layers_0_mlp_fc1.lora_up.weight': { shape: [2, 1], data: values(2, 1) },
      'lora_unet_time_embedding_linear_1.hada_w1_a': { shape: [1], data: values(1, 1) },
    }) }]);
    expect(report.patched).toEqual([]);
    expect(report.issues).toEqual([
      { lora: 'wrong', key: 'lora_unet_time_embedding_linear_1.hada_w1_a', problem: 'unrecognised' },
      { lora: 'wrong', key: 'lora_unet_down_blocks_9_attentions_0_proj_in.lora_down.weight', problem: 'unmatched' },
      {
        lora: 'wrong', key: 'lora_unet_time_embedding_linear_1.lora_down.weight', problem: 'mismatched',
        detail: '[2 x 5] vs time_embedding.linear_1.weight (/time_embedding/linear_1/Gemm) [2 x 3]',
      },
    ]);
    expect(report.otherComponents).toEqual([{ lora: 'wrong', component: 'text_encoder', modules: 1 }]);
  });
});

describe('Conv 3x3 (LoCon) on a float16 model', () => {
  const W = values(2 * 2 * 9, 20); // [out=2, in=2, 3, 3]
  const X = values(2 * 4 * 4, 21); // [1,2,4,4]
  const down = values(1 * 2 * 9, 22); // [1, 2, 3, 3]
  const up = values(2, 23); // [2, 1, 1, 1]

  function model(): Uint8Array {
    const g = new GraphBuilder('conv3');
    const x = g.input('x', 'float16', [1, 2, 4, 4]);
    const w = g.initializer('down_blocks.0.resnets.0.conv1.weight', float32ToFloat16(W), [2, 2, 3, 3]);
    g.output(g.op('Conv', [x, w], { name: '/down_blocks.0/resnets.0/conv1/Conv', attrs: { pads: [1, 1, 1, 1] } }), 'y', 'float16', [1, 2, 4, 4]);
    return g.toBytes();
  }

  it('keeps the weight float16, rounding the merged values once', async () => {
    const m = readModel(model());
    mergeLoras(m, 'unet', [{ name: 'locon', strength: 1, lora: lora({
      'lora_unet_down_blocks_0_resnets_0_conv1.lora_down.weight': { shape: [1, 2, 3, 3], data: down, dtype: 'F16' },
      'lora_unet_down_blocks_0_resnets_0_conv1.lora_up.weight': { shape: [2, 1, 1, 1], data: up, dtype: 'F16' },
    }) }]);
    expect(listInitializers(m)[0].dataType).toBe('float16');
    const d16 = float16ToFloat32(float32ToFloat16(down));
    const u16 = float16ToFloat32(float32ToFloat16(up));
    const w16 = float16ToFloat32(float32ToFloat16(W));
    const expected = float16ToFloat32(float32ToFloat16(w16.map((w, i) => w + u16[Math.floor(i / 18)] * d16[i % 18])));
    expect(getInitializerFloat32(m, 'down_blocks.0.resnets.0.conv1.weight')).toEqual(expected);

    // The session computes the 3x3 convolution with the merged weights (zero padding 1).
    const y = await run(serialiseMerged(m, dir).bytes, { x: { data: float32ToFloat16(X) as unknown as Float32Array, dims: [1, 2, 4, 4] } });
    const x16 = float16ToFloat32(float32ToFloat16(X));
    for (const [o, r, c] of [[0, 0, 0], [1, 2, 1], [0, 3, 3]]) {
      let v = 0;
      for (let i = 0; i < 2; i++) {
        for (let ky = 0; ky < 3; ky++) {
          for (let kx = 0; kx < 3; kx++) {
            const yy = r + ky - 1, xx = c + kx - 1;
            if (yy < 0 || yy > 3 || xx < 0 || xx > 3) continue;
            v += expected[((o * 2 + i) * 3 + ky) * 3 + kx] * x16[(i * 4 + yy) * 4 + xx];
          }
        }
      }
      expect(y[(o * 4 + r) * 4 + c]).toBeCloseTo(v, 2);
    }
  });
});

describe('models with external data (diffusers unet/model.onnx + weights.pb)', () => {
  const Wa = values(64 * 32, 30); // to_q torch [32, 64]
  const Wb = values(32 * 32, 31); // untouched [32, 32]
  const X = values(64, 32);
  const down = values(2 * 64, 33);
  const up = values(32 * 2, 34);

  function save(folder: string): string {
    const g = new GraphBuilder('ext');
    const x = g.input('x', 'float32', [1, 64]);
    const wt = Float32Array.from({ length: 64 * 32 }, (_, k) => Wa[(k % 32) * 64 + Math.floor(k / 32)]); // [64, 32]
    const q = g.op('MatMul', [x, g.initializer('onnx::MatMul_1', wt, [64, 32])], { name: '/mid_block/attentions.0/transformer_blocks.0/attn1/to_q/MatMul' });
    const o = g.op('MatMul', [q, g.initializer('onnx::MatMul_2', Wb, [32, 32])], { name: '/mid_block/attentions.0/transformer_blocks.0/attn1/to_out.0/MatMul' });
    g.output(o, 'y', 'float32', [1, 32]);
    const file = path.join(folder, 'model.onnx');
    g.save(file, { externalData: { location: 'weights.pb', threshold: 256 } });
    return file;
  }

  function expected(): number[] {
    const q = Array.from({ length: 32 }, (_, j) => X.reduce((acc, xv, i) => acc + xv * (Wa[j * 64 + i] + 0.5 * (up[j * 2] * down[i] + up[j * 2 + 1] * down[64 + i])), 0));
    return Array.from({ length: 32 }, (_, k) => q.reduce((acc, qv, j) => acc + qv * Wb[j * 32 + k], 0));
  }

  it.each([['inline', undefined], ['temporary side file', 0]])('merged weights load (%s) while untouched ones stay in weights.pb', async (_label, limit) => {
    const folder = fs.mkdtempSync(path.join(dir, 'unet-'));
    const file = save(folder);
    const m = readModel(fs.readFileSync(file));
    expect(listInitializers(m).every((i) => i.external)).toBe(true);
    mergeLoras(m, 'unet', [{ name: 'l', strength: 0.5, lora: lora({
      'lora_unet_mid_block_attentions_0_transformer_blocks_0_attn1_to_q.lora_down.weight': { shape: [2, 64], data: down },
      'lora_unet_mid_block_attentions_0_transformer_blocks_0_attn1_to_q.lora_up.weight': { shape: [32, 2], data: up },
    }) }], folder);
    const info = Object.fromEntries(listInitializers(m).map((i) => [i.name, i.external]));
    expect(info).toEqual({ 'onnx::MatMul_1': false, 'onnx::MatMul_2': true });
    const source = serialiseMerged(m, folder, { inlineLimitBytes: limit });
    const sideFiles = () => fs.readdirSync(folder).filter((f) => f.startsWith('.stepflow-lora-'));
    expect(source.externalDataDir).toBe(folder);
    expect(sideFiles()).toHaveLength(limit === 0 ? 1 : 0);
    const session = await rt.session(`ext-${limit}`, { bytes: source.bytes }, { externalDataDir: source.externalDataDir });
    source.cleanup();
    // The session keeps its weights once created, so the temporary file can go at once.
    const y = outputFloat32((await session.run({ x: { data: X, dims: [1, 64] } })).y);
    expected().forEach((v, i) => expect(y[i]).toBeCloseTo(v, 3));
    expect(sideFiles()).toEqual([]);
  });
});
