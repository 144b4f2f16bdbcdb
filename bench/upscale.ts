// Upscaler benchmark: the converted esrgan-slim ONNX models (ONNX Runtime) against the original TF.js model on
// TF.js's WASM backend (SIMD; single-threaded in Node, where its threaded build cannot start workers), same
// weights and image. The pure-JS CPU backend would flatter ONNX Runtime by an order of magnitude.
// Rows: float32 as converted before the upsample fold, float32 as shipped, and the fp16 / int8 variants, each
// at ONNX Runtime's default threads (every core) and at one thread (what TF.js WASM gets).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { OnnxRuntime } from '../nodes/runtime/onnx';
import { decodeImage } from '../nodes/runtime/image';
import type { Tensor } from '../nodes/runtime/tensor';
import { outputDifference } from '../nodes/onnx/precision/difference';
import { convertEsrganSlim } from '../nodes/pack/esrgan/part';
import { ESRGAN_SLIM_RANGE, esrganSlimDir, esrganSlimModelJson } from '../nodes/pack/esrgan/esrgan-slim';
import { loadTfjsModel, predictNchw, tf } from '../nodes/pack/esrgan/tfjs-reference';
import { esrganVariant } from '../nodes/pack/esrgan/variants';
import { loadUpscaler, type OnnxUpscaler } from '../nodes/upscale/upscaler';

export interface UpscaleBenchRow {
  name: string;
  onnxMs: number;
  tfjsMs: number;
  /** tfjsMs / onnxMs: how many times faster the converted model runs. */
  ratio: number;
  /**
   * The same ratio over each engine's fastest run. On a shared machine other processes only ever add time,
   * so this is the better estimate of the uncontended ratio; the median is what a busy machine gives.
   */
  bestRatio: number;
  /** Output difference from TF.js (the original model), in 1/255 units, and PSNR (peak 1). */
  maxAbs255: number;
  psnr: number;
  /** Share of output values more than 1/255 away from TF.js's. */
  overTolerance: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A `size`² crop of the package's fixture photo (128²), NCHW in [0,1]. */
async function photo(size: number): Promise<Tensor> {
  const png = await sharp(path.join(esrganSlimDir(), 'assets/fixture.png')).removeAlpha()
    .resize(Math.max(128, size), Math.max(128, size)).extract({ left: 0, top: 0, width: size, height: size }).png().toBuffer();
  return decodeImage(png);
}

type Engine = { name: string; threads: number | 'tfjs'; run: () => Promise<Tensor> | Tensor };

/**
 * Per scale and size: every engine runs once per round, in turn, for `runs` rounds after a warm-up; medians
 * are compared. Throws if the float32 ONNX model and TF.js disagree by more than 1/255 (a broken conversion).
 */
export async function benchUpscale(opts: { scales?: number[]; sizes?: number[]; runs?: number } = {}): Promise<UpscaleBenchRow[]> {
  const { scales = [4], sizes = [64, 128], runs = 9 } = opts;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-bench-upscale-'));
  const runtimes = [
    new OnnxRuntime({ provider: 'cpu', budgetBytes: 1 << 30, onWarning: () => undefined }),
    new OnnxRuntime({ provider: 'cpu', budgetBytes: 1 << 30, intraOpThreads: 1, onWarning: () => undefined }),
  ];
  const threads = [os.availableParallelism(), 1];
  const rows: UpscaleBenchRow[] = [];
  try {
    for (const scale of scales) {
      const fp32 = convertEsrganSlim(scale);
      const models: [string, Uint8Array][] = [
        ['fp32 unfolded', convertEsrganSlim(scale, { foldUpsample: false })],
        ['fp32', fp32],
        ['fp16', await esrganVariant(scale, 'fp16', fp32)],
        ['int8', await esrganVariant(scale, 'int8', fp32)],
      ];
      const upscalers: { name: string; threads: number; up: OnnxUpscaler }[] = [];
      for (const [name, bytes] of models) {
        const file = path.join(dir, `x${scale}-${name.replace(' ', '-')}.onnx`);
        fs.writeFileSync(file, bytes);
        for (let i = 0; i < runtimes.length; i++) upscalers.push({ name, threads: threads[i], up: await loadUpscaler(runtimes[i], file) });
      }
      const tfjsModel = await loadTfjsModel(esrganSlimModelJson(scale), 'wasm');
      try {
        for (const size of sizes) {
          const image = await photo(size);
          const engines: Engine[] = [
            { name: 'tfjs-wasm', threads: 'tfjs', run: () => predictNchw(tfjsModel, image, ESRGAN_SLIM_RANGE) },
            ...upscalers.map((u) => ({ name: u.name, threads: u.threads, run: () => u.up.upscale(image, { tile: size }) })),
          ];
          const outputs = new Map<Engine, Tensor>();
          const ms = new Map<Engine, number[]>(engines.map((e) => [e, []]));
          for (let r = 0; r <= runs; r++) {
            for (const e of engines) {
              const t0 = performance.now();
              const out = await e.run();
              if (r === 0) outputs.set(e, out); // warm-up: session initialisation, kernel registration
              else ms.get(e)!.push(performance.now() - t0);
            }
          }
          const reference = outputs.get(engines[0])!.data;
          const tfjsMs = median(ms.get(engines[0])!);
          const tfjsBest = Math.min(...ms.get(engines[0])!);
          for (const e of engines.slice(1)) {
            const d = outputDifference(reference, outputs.get(e)!.data, { peak: 1, tolerance: 1 / 255 });
            if (e.name.startsWith('fp32') && d.maxAbs > 1 / 255) {
              throw new Error(`x${scale} ${e.name}: ONNX and TF.js outputs differ by ${(d.maxAbs * 255).toFixed(2)}/255`);
            }
            const onnxMs = median(ms.get(e)!);
            rows.push({
              name: `x${scale} ${size}x${size} ${e.name}, ${e.threads} thread${e.threads === 1 ? '' : 's'}`,
              onnxMs, tfjsMs, ratio: tfjsMs / onnxMs, bestRatio: tfjsBest / Math.min(...ms.get(e)!),
              maxAbs255: d.maxAbs * 255, psnr: d.psnr, overTolerance: d.overTolerance!,
            });
          }
        }
      } finally {
        tfjsModel.dispose();
      }
    }
  } finally {
    await Promise.all(runtimes.map((r) => r.dispose()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** What TF.js ran on, for the printed header. */
export function tfjsBackendName(): string {
  return `${tf.getBackend()} (tfjs ${tf.version.tfjs})`;
}
