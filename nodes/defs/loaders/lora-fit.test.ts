// A LoRA that fits the checkpoint only in part, or not at all: the loader's run-level warning on node:finished
// ("applied to 0 of N layers"), repeated by a cache hit, and the header-only count the picker uses agreeing with it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../../engine/executor';
import type { RunEventMap, RunWarning } from '../../engine/events';
import { OnnxRuntime } from '../../runtime/onnx';
import { ModelStore } from '../../runtime/models';
import { InputStore } from '../../runtime/inputs';
import { writeSafetensors } from '../../runtime/safetensors';
import { allNodes } from '../../models/testing/model-nodes';
import { lorasFitCheckpoint } from '../../lora/fit';
import { writeSpritesCheckpoint } from '../../pack/checkpoint';
import { writePaletteLora } from '../../pack/lora/part';
import { loraLoader } from './lora-loader';

let models: string;
let runtime: OnnxRuntime;

/** kohya keys for U-Net layers the sprites U-Net does not have (an SD LoRA's names). */
function foreignModules(n: number): Record<string, { shape: number[]; data: Float32Array }> {
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (let i = 0; i < n; i++) {
    const m = `lora_unet_down_blocks_${i}_attentions_0_proj_in`;
    out[`${m}.lora_down.weight`] = { shape: [2, 8], data: new Float32Array(16).fill(0.1) };
    out[`${m}.lora_up.weight`] = { shape: [8, 2], data: new Float32Array(16).fill(0.1) };
  }
  return out;
}

beforeAll(async () => {
  models = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-lora-fit-'));
  await writeSpritesCheckpoint(models);
  await writePaletteLora(models);
  writeSafetensors(path.join(models, 'loras', 'foreign.safetensors'), foreignModules(5));
  // conv_out with the sprites U-Net's 4 channels fits; two foreign layers do not; one with conv_out's name but 8 channels neither.
  writeSafetensors(path.join(models, 'loras', 'partial.safetensors'), {
    ...foreignModules(2),
    'lora_unet_conv_out.lora_down.weight': { shape: [1, 4, 1, 1], data: new Float32Array(4).fill(0.01) },
    'lora_unet_conv_out.lora_up.weight': { shape: [4, 1, 1, 1], data: new Float32Array(4).fill(0.01) },
    'lora_unet_mid_block_x0.lora_down.weight': { shape: [1, 9], data: new Float32Array(9) },
    'lora_unet_mid_block_x0.lora_up.weight': { shape: [9, 1], data: new Float32Array(9) },
  });
  runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 30, intraOpThreads: 1, onWarning: () => undefined });
}, 120_000);
afterAll(async () => {
  await runtime.dispose();
  fs.rmSync(models, { recursive: true, force: true });
});

const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });

function graph(lora: string) {
  return {
    version: 1,
    nodes: [
      { id: 'checkpoint', type: 'checkpoint_loader', params: { ckpt_name: 'sprites' } },
      { id: 'lora', type: 'lora_loader', params: { lora_name: lora, strength_model: 1, strength_clip: 1 } },
    ],
    edges: [edge('checkpoint', 'model', 'lora', 'model'), edge('checkpoint', 'clip', 'lora', 'clip')],
  };
}

/** The lora node's node:finished, on the given executor (a second run on the same one hits its node cache). */
async function loraFinished(lora: string, executor = newExecutor()): Promise<RunEventMap['node:finished']> {
  let finished: RunEventMap['node:finished'] | undefined;
  const r = await executor.run(graph(lora), {
    runId: `fit-${lora}`, targets: ['lora'],
    onEvent: (e) => { if (e.type === 'node:finished' && e.nodeId === 'lora') finished = e; },
  });
  expect(r.error).toBeUndefined();
  return finished!;
}

function newExecutor(): Executor {
  return new Executor({ runtime, models: new ModelStore(models), inputs: new InputStore([]), nodes: allNodes([loraLoader]) });
}

describe('lora_loader fit warning', () => {
  it('says nothing for the demo LoRA, whose one layer fits the sprites U-Net', async () => {
    const finished = await loraFinished('sprites-palette.safetensors');
    expect(finished.warnings).toBeUndefined();
  });

  it('reports "0 of 5 layers" for a LoRA made for other layers, and again on a cache hit', async () => {
    const executor = newExecutor();
    const expected: RunWarning = {
      code: 'lora_fit', lora: 'foreign.safetensors', checkpoint: 'sprites', applied: 0, total: 5,
      message: 'LoRA foreign.safetensors applied to 0 of 5 layers of checkpoint sprites — it does not fit this model',
    };
    const first = await loraFinished('foreign.safetensors', executor);
    expect(first.cached).toBe(false);
    expect(first.warnings).toEqual([expected]);
    const again = await loraFinished('foreign.safetensors', executor);
    expect(again.cached).toBe(true);
    expect(again.warnings).toEqual([expected]);
  });

  it('counts a partly fitting LoRA: 1 of 4 (two unknown layers, one of the wrong shape)', async () => {
    const finished = await loraFinished('partial.safetensors');
    expect(finished.warnings?.map((w) => [w.applied, w.total, w.message])).toEqual([
      [1, 4, 'LoRA partial.safetensors applied to 1 of 4 layers of checkpoint sprites'],
    ]);
  });

  it('the picker\'s header-only count agrees with the merge', () => {
    const fit = lorasFitCheckpoint(new ModelStore(models), 'sprites', ['sprites-palette.safetensors', 'foreign.safetensors', 'partial.safetensors', 'missing.safetensors']);
    expect(fit).toEqual({
      'sprites-palette.safetensors': { applied: 1, total: 1 },
      'foreign.safetensors': { applied: 0, total: 5 },
      'partial.safetensors': { applied: 1, total: 4 },
    });
  });
});
