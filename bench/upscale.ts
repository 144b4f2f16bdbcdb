// Upscaler benchmark: the converted esrgan-slim ONNX model (ONNX Runtime) against the original TF.js model
// (@tensorflow/tfjs, pure JS CPU backend, what UpscalerJS runs in Node without tfjs-node), same weights and image.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { OnnxRuntime } from '../nodes/runtime/onnx';
import { decodeImage } from '../nodes/runtime/image';
import type { Tensor } from '../nodes/runtime/tensor';
import { convertEsrganSlim } from '../nodes/pack/esrgan/part';
import { ESRGAN_SLIM_RANGE, esrganSlimDir, esrganSlimModelJson } from '../nodes/pack/esrgan/esrgan-slim';
import { loadTfjsModel, predictNchw } from '../nodes/pack/esrgan/tfjs-reference';
import { loadUpscaler } from '../nodes/upscale/upscaler';

export interface UpscaleBenchRow {
  name: string;
  onnxMs: number;
  tfjsMs: number;
  /** tfjsMs / onnxMs: how many times faster the converted model runs. */
  ratio: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

/** A `size`² crop of the package's fixture photo, NCHW in [0,1]. */
async function photo(size: number): Promise<Tensor> {
  const png = await sharp(path.join(esrganSlimDir(), 'assets/fixture.png')).removeAlpha()
    .resize(Math.max(128, size), Math.max(128, size)).extract({ left: 0, top: 0, width: size, height: size }).png().toBuffer();
  return decodeImage(png);
}

/** Median of `runs` timed runs per engine after a warm-up; throws if the two disagree by more than 1/255. */
export async function benchUpscale(opts: { scales?: number[]; size?: number; runs?: number } = {}): Promise<UpscaleBenchRow[]> {
  const { scales = [4], size = 64, runs = 3 } = opts;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-bench-upscale-'));
  const runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 1 << 30, onWarning: () => undefined });
  const rows: UpscaleBenchRow[] = [];
  try {
    const image = await photo(size);
    for (const scale of scales) {
      const file = path.join(dir, `esrgan-slim-x${scale}.onnx`);
      fs.writeFileSync(file, convertEsrganSlim(scale));
      const upscaler = await loadUpscaler(runtime, file);
      const tfjsModel = await loadTfjsModel(esrganSlimModelJson(scale));

      const onnxOut = await upscaler.upscale(image, {}); // warm-up: session initialisation, arena growth
      const tfjsOut = predictNchw(tfjsModel, image, ESRGAN_SLIM_RANGE); // warm-up: kernel registration
      let worst = 0;
      for (let i = 0; i < onnxOut.data.length; i++) worst = Math.max(worst, Math.abs(onnxOut.data[i] - tfjsOut.data[i]));
      if (worst > 1 / 255) throw new Error(`x${scale}: ONNX and TF.js outputs differ by ${(worst * 255).toFixed(2)}/255`);

      const onnxMs = await timed(runs, () => upscaler.upscale(image, {}));
      const tfjsMs = await timed(runs, () => predictNchw(tfjsModel, image, ESRGAN_SLIM_RANGE));
      tfjsModel.dispose();
      rows.push({ name: `esrgan-slim x${scale} ${size}x${size}`, onnxMs, tfjsMs, ratio: tfjsMs / onnxMs });
    }
  } finally {
    await runtime.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
