// The tiny SD-shaped model: deterministic, runnable, named like diffusers/Optimum exports, and every key of
// its kohya LoRA (and of the same LoRA in diffusers and PEFT spelling) lands on an initializer.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listInitializers, readModel } from '../../onnx/model-io';
import { OnnxRuntime, outputFloat32 } from '../../runtime/onnx';
import { encodeSafetensors, parseSafetensors, readSafetensors, type TensorToWrite } from '../../runtime/safetensors';
import { loadLoraFile, loraFromSafetensors } from '../../lora/lora-file';
import { mergeLoras } from '../../lora/merge';
import { buildTinyTextEncoder } from './text-encoder';
import { buildTinyUnet } from './unet';
import { TINY_SD_CHECKPOINT, TINY_SD_EMBEDDING, TINY_SD_LORA, writeTinySd } from './part';

let models: string;
let ckpt: string;
let runtime: OnnxRuntime;
beforeAll(async () => {
  models = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-tiny-sd-'));
  await writeTinySd(models);
  ckpt = path.join(models, TINY_SD_CHECKPOINT);
  runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 30, intraOpThreads: 1, onWarning: () => undefined });
}, 60_000);
afterAll(async () => {
  await runtime.dispose();
  fs.rmSync(models, { recursive: true, force: true });
});

const model = (component: string) => readModel(fs.readFileSync(path.join(ckpt, component, 'model.onnx')));
const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('tiny-sd checkpoint', () => {
  it('is written deterministically in the diffusers ONNX layout', async () => {
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-tiny-sd-b-'));
    try {
      const files = await writeTinySd(again);
      expect(files).toEqual([
        'checkpoints/tiny-sd/model_index.json', 'checkpoints/tiny-sd/scheduler/scheduler_config.json',
        'checkpoints/tiny-sd/text_encoder/model.onnx', 'checkpoints/tiny-sd/tokenizer/merges.txt',
        'checkpoints/tiny-sd/tokenizer/special_tokens_map.json', 'checkpoints/tiny-sd/tokenizer/vocab.json',
        'checkpoints/tiny-sd/unet/model.onnx', 'checkpoints/tiny-sd/unet/weights.pb',
        'checkpoints/tiny-sd/vae_decoder/model.onnx', 'checkpoints/tiny-sd/vae_encoder/model.onnx',
        TINY_SD_EMBEDDING, TINY_SD_LORA,
      ]);
      for (const rel of files) expect(sha(path.join(again, rel)), rel).toBe(sha(path.join(models, rel)));
    } finally {
      fs.rmSync(again, { recursive: true, force: true });
    }
  });

  it('runs: U-Net [2,4,8,8] + int64 timesteps + [2,77,32] context, text encoder [1,77] ids -> [1,77,32]', async () => {
    const unet = await runtime.session('tiny-unet', { path: path.join(ckpt, 'unet', 'model.onnx') });
    expect(unet.inputs.map((i) => `${i.name}:${i.type}`)).toEqual(['sample:float32', 'timestep:int64', 'encoder_hidden_states:float32']);
    const sample = Float32Array.from({ length: 2 * 4 * 64 }, (_, i) => Math.sin(i));
    const context = Float32Array.from({ length: 2 * 77 * 32 }, (_, i) => Math.cos(i * 0.37));
    const out = await unet.run({
      sample: { data: sample, dims: [2, 4, 8, 8] },
      timestep: { data: BigInt64Array.of(999n, 1n), dims: [2] },
      encoder_hidden_states: { data: context, dims: [2, 77, 32] },
    });
    expect(out.out_sample.dims).toEqual([2, 4, 8, 8]);
    const eps = outputFloat32(out.out_sample);
    expect(eps.every(Number.isFinite)).toBe(true);
    // Different timesteps give different predictions: the time embedding reaches the output.
    expect(eps.slice(0, 256)).not.toEqual(eps.slice(256));

    const te = await runtime.session('tiny-te', { path: path.join(ckpt, 'text_encoder', 'model.onnx') });
    const hidden = await te.run({ input_ids: { data: Int32Array.from({ length: 77 }, (_, i) => (i === 0 ? 49406 : i < 4 ? 320 + i : 49407)), dims: [1, 77] } });
    expect(hidden.last_hidden_state.dims).toEqual([1, 77, 32]);
    expect(outputFloat32(hidden.last_hidden_state).every(Number.isFinite)).toBe(true);
  });

  it('names nodes and weights like diffusers/Optimum exports', () => {
    const unet = listInitializers(model('unet'));
    const consumerOf = (node: string) => unet.find((i) => i.consumers.some((c) => c.nodeName === node && c.inputIndex === 1));
    const q = consumerOf('/down_blocks.0/attentions.0/transformer_blocks.0/attn1/to_q/MatMul');
    expect(q?.name).toMatch(/^onnx::MatMul_\d+$/);
    expect(q?.external).toBe(true);
    expect(consumerOf('/mid_block/attentions.0/transformer_blocks.0/attn2/to_k/MatMul')?.name).toBe('mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight');
    for (const node of [
      '/up_blocks.0/attentions.0/transformer_blocks.0/attn1/to_out.0/MatMul', '/down_blocks.0/attentions.0/transformer_blocks.0/ff/net.0/proj/MatMul',
      '/down_blocks.0/attentions.0/transformer_blocks.0/ff/net.2/MatMul', '/time_embedding/linear_2/Gemm',
    ]) expect(consumerOf(node)?.name, node).toMatch(/^onnx::(MatMul|Gemm)_\d+$/);
    expect(consumerOf('/down_blocks.0/attentions.0/proj_in/Conv')?.name).toBe('down_blocks.0.attentions.0.proj_in.weight');
    expect(consumerOf('/down_blocks.0/resnets.0/conv1/Conv')?.dims).toEqual([32, 32, 3, 3]);
    expect(consumerOf('/time_embedding/linear_1/Gemm')?.name).toBe('time_embedding.linear_1.weight');
    const te = listInitializers(model('text_encoder'));
    expect(te.find((i) => i.consumers.some((c) => c.nodeName === '/text_model/encoder/layers.0/self_attn/q_proj/MatMul'))?.name).toMatch(/^onnx::MatMul_/);
  });
});

describe('LoRA key mapping on tiny-sd', () => {
  it('maps every key of the kohya LoRA to an initializer', () => {
    const lora = loadLoraFile(path.join(models, TINY_SD_LORA));
    const keys = readSafetensors(path.join(models, TINY_SD_LORA)).names();
    expect(lora.unrecognised).toEqual([]);
    expect(lora.modules.length * 3).toBe(keys.length); // down, up, alpha per module
    for (const [component, folder] of [['unet', 'unet'], ['text_encoder', 'text_encoder']] as const) {
      const m = model(folder);
      const report = mergeLoras(m, component, [{ name: 'tiny', strength: 1, lora }], path.join(ckpt, folder));
      expect(report.issues).toEqual([]);
      const modules = lora.modules.filter((x) => x.component === component);
      expect(report.patched.length).toBe(modules.length);
    }
    // U-Net: 3 transformers x 12 (proj_in/out, 8 attention projections, 2 ff) + 4 resnets x 3 + 1 shortcut
    // + conv_in, conv_out, downsampler, upsampler + 2 time-embedding linears
    const unetModules = lora.modules.filter((x) => x.component === 'unet').map((x) => x.module);
    expect(unetModules.length).toBe(55);
    expect(unetModules).toContain('down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q');
    expect(unetModules).toContain('up_blocks_0_resnets_0_conv_shortcut');
    const layer = (i: number) => ['mlp_fc1', 'mlp_fc2', 'self_attn_k_proj', 'self_attn_out_proj', 'self_attn_q_proj', 'self_attn_v_proj']
      .map((m) => `text_model_encoder_layers_${i}_${m}`);
    expect(lora.modules.filter((x) => x.component === 'text_encoder').map((x) => x.module).sort()).toEqual([...layer(0), ...layer(1)]);
  });

  it('maps the same modules in diffusers and PEFT spelling', () => {
    const { modules } = buildTinyUnet();
    const linear = modules.filter((m) => !m.kernel);
    const tensors: Record<string, TensorToWrite> = {};
    linear.forEach((m, i) => {
      const down = { shape: [1, m.inFeatures], data: new Float32Array(m.inFeatures).fill(0.01) };
      const up = { shape: [m.outFeatures, 1], data: new Float32Array(m.outFeatures).fill(0.01) };
      const attn = /^(.*)\.(to_q|to_k|to_v|to_out\.0)$/.exec(m.path);
      if (attn && i % 3 === 0) {
        const proj = attn[2] === 'to_out.0' ? 'to_out' : attn[2];
        tensors[`unet.${attn[1]}.processor.${proj}_lora.down.weight`] = down;
        tensors[`unet.${attn[1]}.processor.${proj}_lora.up.weight`] = up;
      } else if (i % 2 === 0) {
        tensors[`unet.${m.path}.lora.down.weight`] = down;
        tensors[`unet.${m.path}.lora.up.weight`] = up;
      } else {
        tensors[`base_model.model.${m.path}.lora_A.weight`] = down;
        tensors[`base_model.model.${m.path}.lora_B.weight`] = up;
      }
    });
    const te = buildTinyTextEncoder().modules[0];
    tensors[`text_encoder.${te.path}.lora_linear_layer.down.weight`] = { shape: [1, te.inFeatures], data: new Float32Array(te.inFeatures) };
    tensors[`text_encoder.${te.path}.lora_linear_layer.up.weight`] = { shape: [te.outFeatures, 1], data: new Float32Array(te.outFeatures) };
    const lora = loraFromSafetensors(parseSafetensors(encodeSafetensors(tensors)));
    expect(lora.unrecognised).toEqual([]);
    const report = mergeLoras(model('unet'), 'unet', [{ name: 'mixed', strength: 1, lora }], path.join(ckpt, 'unet'));
    expect(report.issues).toEqual([]);
    expect(report.patched.length).toBe(linear.length);
    const teReport = mergeLoras(model('text_encoder'), 'text_encoder', [{ name: 'mixed', strength: 1, lora }]);
    expect(teReport.issues).toEqual([]);
    expect(teReport.patched.map((p) => p.node)).toEqual(['/text_model/encoder/layers.0/self_attn/q_proj/MatMul']);
  });

  it('reports a key with no target as unmatched', () => {
    const lora = loraFromSafetensors(parseSafetensors(encodeSafetensors({
      'lora_unet_down_blocks_1_attentions_0_proj_in.lora_down.weight': { shape: [1, 32, 1, 1], data: new Float32Array(32) },
      'lora_unet_down_blocks_1_attentions_0_proj_in.lora_up.weight': { shape: [32, 1, 1, 1], data: new Float32Array(32) },
      'lora_unet_conv_in.lora_down.weight': { shape: [1, 4, 3, 3], data: new Float32Array(36) },
      'lora_unet_conv_in.lora_up.weight': { shape: [32, 1, 1, 1], data: new Float32Array(32) },
    })));
    const report = mergeLoras(model('unet'), 'unet', [{ name: 'partial', strength: 1, lora }], path.join(ckpt, 'unet'));
    expect(report.issues).toEqual([{ lora: 'partial', key: 'lora_unet_down_blocks_1_attentions_0_proj_in.lora_down.weight', problem: 'unmatched' }]);
    expect(report.patched.map((p) => p.initializer)).toEqual(['conv_in.weight']);
  });
});
