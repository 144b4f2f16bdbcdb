// SD3/Flux-style folders (transformer/ + a flow-matching scheduler config) through the checkpoint loader.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxRuntime } from '../runtime/onnx';
import { loadCheckpoint } from './checkpoint';
import { ModelFormatError } from './errors';
import { TOY_SCALING, writeToyCheckpoint } from './testing/toy-checkpoint';

const SD3_SCHEDULER = { _class_name: 'FlowMatchEulerDiscreteScheduler', num_train_timesteps: 1000, shift: 3.0 };

let tmp: string;
let runtime: OnnxRuntime;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-flow-ckpt-'));
  runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 30, intraOpThreads: 1, onWarning: () => undefined });
});
afterAll(async () => {
  await runtime.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The toy checkpoint moved into the SD3 layout: unet/ renamed transformer/, flow-matching scheduler, a VAE shift. */
function flowFolder(name: string, edit: (dir: string) => void = () => undefined): string {
  const dir = writeToyCheckpoint(path.join(tmp, name));
  fs.renameSync(path.join(dir, 'unet'), path.join(dir, 'transformer'));
  fs.writeFileSync(path.join(dir, 'scheduler', 'scheduler_config.json'), JSON.stringify(SD3_SCHEDULER));
  fs.writeFileSync(path.join(dir, 'vae_decoder', 'config.json'), JSON.stringify({ scaling_factor: TOY_SCALING, shift_factor: 0.1, latent_channels: 4 }));
  edit(dir);
  return dir;
}

describe('flow-matching checkpoint folders', () => {
  it('loads transformer/model.onnx as the model, with the flow scheduler config and the VAE shift factor', async () => {
    const ck = await loadCheckpoint(runtime, flowFolder('sd3'), 'sd3');
    expect(ck.folder.family).toBe('flow');
    expect(ck.unet.file).toBe(path.join(tmp, 'sd3', 'transformer', 'model.onnx'));
    expect(ck.unet.schedulerConfig._class_name).toBe('FlowMatchEulerDiscreteScheduler');
    expect(ck.unet.denoiser.describe()).toMatch(/^transformer "sd3"/);
    expect(ck.vae.shiftFactor).toBe(0.1);
    // R of a latent cell 0.2: (0.2 / 0.5 + 0.1) / 2 + 0.5 = 0.75, and encoding takes the shift back off.
    const z = { data: Float32Array.from([0.2, 0.1, -0.1, 0.1, 0.3, -0.2, 0, 0]), dims: [1, 4, 1, 2] };
    const img = await ck.vae.decode(z);
    expect(img.data[0]).toBeCloseTo(0.75, 6);
    const back = await ck.vae.encode(img);
    for (let i = 0; i < 6; i++) expect(back.data[i]).toBeCloseTo(z.data[i], 5);
  });

  it('names transformer/model.onnx when a transformer/ folder lacks it', async () => {
    const dir = flowFolder('no-model', (d) => fs.rmSync(path.join(d, 'transformer', 'model.onnx')));
    await expect(loadCheckpoint(runtime, dir)).rejects.toThrow(/lacks transformer\/model\.onnx/);
    await expect(loadCheckpoint(runtime, dir)).rejects.toBeInstanceOf(ModelFormatError);
  });

  it('refuses a transformer/ folder whose scheduler is an epsilon one, naming the file and class', async () => {
    const dir = flowFolder('wrong-scheduler', (d) => fs.writeFileSync(path.join(d, 'scheduler', 'scheduler_config.json'), JSON.stringify({ _class_name: 'PNDMScheduler' })));
    await expect(loadCheckpoint(runtime, dir)).rejects.toThrow(/scheduler_config\.json.*"PNDMScheduler".*FlowMatchEulerDiscreteScheduler/);
  });

  it('rejects a non-numeric shift_factor with the file and key', async () => {
    const dir = flowFolder('bad-shift', (d) => fs.writeFileSync(path.join(d, 'vae_decoder', 'config.json'), JSON.stringify({ shift_factor: 'x' })));
    await expect(loadCheckpoint(runtime, dir)).rejects.toThrow(/config\.json.*"shift_factor" must be a number/);
  });
});
