// Real SD3/Flux exports carry no stepflow.json: their previews use the published 16-channel factors (ComfyUI's
// latent_formats SD3 and Flux), chosen by the folder's pipeline, not SD1.5's 4 rows (which a 16-channel model refuses).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_FLUX_CHECKPOINT, writeTinyFlux } from '../pack/tiny-flux/part';
import { TINY_SD3_CHECKPOINT, writeTinySd3 } from '../pack/tiny-sd3/part';
import { OnnxRuntime } from '../runtime/onnx';
import { loadCheckpoint } from './checkpoint';
import { readCheckpointFolder } from './diffusers-folder';
import { FLUX_LATENT_RGB, latentToRgb, SD15_LATENT_RGB, SD3_LATENT_RGB } from './latent-rgb';

let models: string;
beforeAll(async () => {
  models = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-latent-rgb-'));
  await writeTinySd3(models);
  await writeTinyFlux(models);
  for (const rel of [TINY_SD3_CHECKPOINT, TINY_FLUX_CHECKPOINT]) fs.rmSync(path.join(models, rel, 'stepflow.json'));
}, 60_000);
afterAll(() => fs.rmSync(models, { recursive: true, force: true }));

/** ComfyUI's preview of a one-cell latent: (F^T z + b + 1) / 2, clamped. */
const preview = (rgb: typeof SD3_LATENT_RGB, z: number[]) =>
  Array.from(latentToRgb({ data: Float32Array.from(z), dims: [1, 16, 1, 1] }, rgb, { scale: 1 }).data).map((v) => +v.toFixed(5));

describe('default latent -> RGB of 16-channel folders without stepflow.json', () => {
  it('an SD3 folder gets SD3\'s published factors and bias, and its transformer loads with them', async () => {
    const folder = readCheckpointFolder(path.join(models, TINY_SD3_CHECKPOINT));
    expect(folder.latentRgb).toBe(SD3_LATENT_RGB);
    // Row 0 (-0.0922, -0.0175, 0.0749) and row 15 (-0.1448, -0.1463, -0.1189), halved; bias (0.2394, 0.2135, 0.1925) / 2 + 0.5.
    expect(folder.latentRgb.factors[0]).toEqual([-0.0461, -0.00875, 0.03745]);
    expect(folder.latentRgb.factors[15]).toEqual([-0.0724, -0.07315, -0.05945]);
    expect(folder.latentRgb.bias).toEqual([0.6197, 0.60675, 0.59625]);
    // z = 0: the bias alone; z = e2 (row 2: 0.1994, 0.0927, 0.0458): ((0.1994 + 0.2394) + 1) / 2, ...
    expect(preview(folder.latentRgb, Array(16).fill(0))).toEqual([0.6197, 0.60675, 0.59625]);
    expect(preview(folder.latentRgb, Array.from({ length: 16 }, (_, i) => (i === 2 ? 1 : 0)))).toEqual([0.7194, 0.6531, 0.61915]);
    const runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 30, intraOpThreads: 1, onWarning: () => undefined });
    try {
      expect((await loadCheckpoint(runtime, folder.dir)).unet.latentRgb).toBe(SD3_LATENT_RGB);
    } finally {
      await runtime.dispose();
    }
  });

  it('a Flux folder gets FLUX.1\'s', () => {
    const folder = readCheckpointFolder(path.join(models, TINY_FLUX_CHECKPOINT));
    expect(folder.latentRgb).toBe(FLUX_LATENT_RGB);
    // Row 9 (0.1008, 0.0755, -0.0421), bias (-0.0329, -0.0718, -0.0851).
    expect(folder.latentRgb.factors[9]).toEqual([0.0504, 0.03775, -0.02105]);
    expect(folder.latentRgb.bias).toEqual([0.48355, 0.4641, 0.45745]);
    // z = -2 on row 13 (-0.1264, -0.0522, -0.1103): ((0.2528 - 0.0329) + 1) / 2, ...
    expect(preview(folder.latentRgb, Array.from({ length: 16 }, (_, i) => (i === 13 ? -2 : 0)))).toEqual([0.60995, 0.5163, 0.56775]);
  });

  it('a sidecar still wins, and 4-channel folders keep SD1.5\'s', async () => {
    const factors = Array.from({ length: 16 }, () => [0, 0, 0]);
    fs.writeFileSync(path.join(models, TINY_SD3_CHECKPOINT, 'stepflow.json'), JSON.stringify({ latent_rgb: { factors, bias: [1, 0, 0] } }));
    try {
      expect(readCheckpointFolder(path.join(models, TINY_SD3_CHECKPOINT)).latentRgb).toEqual({ factors, bias: [1, 0, 0] });
    } finally {
      fs.rmSync(path.join(models, TINY_SD3_CHECKPOINT, 'stepflow.json'));
    }
    const sdLike = path.join(models, 'checkpoints', 'sd-like');
    fs.cpSync(path.join(models, TINY_SD3_CHECKPOINT), sdLike, { recursive: true });
    fs.writeFileSync(path.join(sdLike, 'vae_decoder', 'config.json'), JSON.stringify({ latent_channels: 4 }));
    expect(readCheckpointFolder(sdLike).latentRgb).toBe(SD15_LATENT_RGB);
  });
});
