// fp16 and int8 variants against float32, side by side in one process: per model, the variants run in turn
// within each round (so machine load hits them alike), the median of the rounds is compared, and the output
// difference is measured on the same seed and input. Models are generated into a temporary folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { loadCheckpoint, type LoadedCheckpoint } from '../nodes/models/checkpoint';
import { sampleLatent } from '../nodes/models/sampling-run';
import { outputDifference } from '../nodes/onnx/precision/difference';
import { esrganSlimDir } from '../nodes/pack/esrgan/esrgan-slim';
import { convertEsrganSlim } from '../nodes/pack/esrgan/part';
import { esrganVariant } from '../nodes/pack/esrgan/variants';
import { TINY_SD_CHECKPOINT, writeTinySd } from '../nodes/pack/tiny-sd/part';
import { TINY_SD_VARIANTS, writeTinySdVariants } from '../nodes/pack/tiny-sd/variants';
import { decodeImage } from '../nodes/runtime/image';
import { OnnxRuntime } from '../nodes/runtime/onnx';
import type { Tensor } from '../nodes/runtime/tensor';
import { loadUpscaler } from '../nodes/upscale/upscaler';

export type Variant = 'fp32' | 'fp16' | 'int8';
const VARIANTS: readonly Variant[] = ['fp32', 'fp16', 'int8'];

export interface PrecisionRow {
  model: string;
  variant: Variant;
  /** Median ms of one call. */
  ms: number;
  /** fp32 ms / this variant's ms: above 1 is faster. */
  speedup: number;
  /** The same over each one's fastest run (other processes only add time: the uncontended estimate). */
  bestSpeedup: number;
  /** Output difference from fp32: images with a peak of 1, other outputs with the fp32 output's peak. */
  maxAbs: number;
  psnr: number;
  /** Share of values more than 1/255 off (images only). */
  overTolerance?: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs `fns` in turn, `rounds` times after one warm-up round, and returns each one's median ms and last output. */
async function interleaved(fns: Record<Variant, () => Promise<Float32Array>>, rounds: number) {
  const ms: Record<string, number[]> = {};
  const out: Record<string, Float32Array> = {};
  for (let r = 0; r <= rounds; r++) {
    for (const v of VARIANTS) {
      const t0 = performance.now();
      out[v] = await fns[v]();
      if (r > 0) (ms[v] ??= []).push(performance.now() - t0);
    }
  }
  return {
    ms: Object.fromEntries(VARIANTS.map((v) => [v, median(ms[v])])) as Record<Variant, number>,
    best: Object.fromEntries(VARIANTS.map((v) => [v, Math.min(...ms[v])])) as Record<Variant, number>,
    out,
  };
}

function rows(model: string, r: Awaited<ReturnType<typeof interleaved>>, image: boolean): PrecisionRow[] {
  return VARIANTS.map((v) => {
    const d = outputDifference(r.out.fp32, r.out[v], image ? { peak: 1, tolerance: 1 / 255 } : {});
    return {
      model, variant: v, ms: r.ms[v], speedup: r.ms.fp32 / r.ms[v], bestSpeedup: r.best.fp32 / r.best[v],
      maxAbs: d.maxAbs, psnr: d.psnr, overTolerance: d.overTolerance,
    };
  });
}

export async function benchPrecision(opts: { rounds?: number; threads?: number } = {}): Promise<PrecisionRow[]> {
  const rounds = opts.rounds ?? 9;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-bench-precision-'));
  const runtime = new OnnxRuntime({ provider: 'cpu', budgetBytes: 2 ** 31, intraOpThreads: opts.threads, onWarning: () => undefined });
  const out: PrecisionRow[] = [];
  try {
    await writeTinySd(dir);
    await writeTinySdVariants(dir);
    const folders: Record<Variant, string> = { fp32: TINY_SD_CHECKPOINT, fp16: TINY_SD_VARIANTS.fp16, int8: TINY_SD_VARIANTS.int8 };
    const ck = {} as Record<Variant, LoadedCheckpoint>;
    for (const v of VARIANTS) ck[v] = await loadCheckpoint(runtime, path.join(dir, folders[v]));
    const per = (fn: (c: LoadedCheckpoint) => Promise<Float32Array>) => Object.fromEntries(VARIANTS.map((v) => [v, () => fn(ck[v])])) as Record<Variant, () => Promise<Float32Array>>;

    const prompt = 'a red circle on a blue background';
    out.push(...rows('tiny-sd text encoder (77 tokens)', await interleaved(per(async (c) => (await c.clip.encode(prompt)).embeddings.data), rounds), false));
    const context = (await ck.fp32.clip.encode(prompt)).embeddings;
    for (const side of [8, 64]) {
      const sample: Tensor = { data: Float32Array.from({ length: 2 * 4 * side * side }, (_, i) => Math.sin(i * 0.3)), dims: [2, 4, side, side] };
      out.push(...rows(`tiny-sd U-Net batch 2, latent ${side}x${side}`, await interleaved(per(async (c) => (await c.unet.predict(sample, 999, context)).data), rounds), false));
    }
    // The whole txt2img: both prompts encoded by each variant's own text encoder, 20 Euler steps, decode.
    const txt2img = async (c: LoadedCheckpoint) => {
      const [positive, negative] = [await c.clip.encode(prompt), await c.clip.encode('')];
      const r = await sampleLatent({
        model: c.unet, sampler: 'euler', schedule: 'normal', steps: 20, cfg: 7.5, seed: 42, noiseMode: 'stepflow', positive, negative,
        latent: { samples: { data: new Float32Array(4 * 64), dims: [1, 4, 8, 8] } }, start: { kind: 'denoise', denoise: 1, startStep: 0 },
        endStep: 10_000, returnLeftoverNoise: false,
      });
      return (await c.vae.decode(r.latent.samples)).data;
    };
    out.push(...rows('tiny-sd txt2img 64x64, euler 20, cfg 7.5', await interleaved(per(txt2img), Math.max(3, Math.floor(rounds / 2))), true));

    const fixture = path.join(esrganSlimDir(), 'assets/fixture.png');
    const fp32 = convertEsrganSlim(4);
    const files = {} as Record<Variant, string>;
    for (const v of VARIANTS) {
      files[v] = path.join(dir, `esrgan-slim-x4-${v}.onnx`);
      fs.writeFileSync(files[v], v === 'fp32' ? fp32 : await esrganVariant(4, v, fp32));
    }
    const ups = Object.fromEntries(await Promise.all(VARIANTS.map(async (v) => [v, await loadUpscaler(runtime, files[v])] as const)));
    for (const size of [64, 128]) {
      const image = await decodeImage(await sharp(fixture).removeAlpha().extract({ left: 0, top: 0, width: size, height: size }).png().toBuffer());
      const fns = Object.fromEntries(VARIANTS.map((v) => [v, async () => (await ups[v].upscale(image)).data])) as Record<Variant, () => Promise<Float32Array>>;
      out.push(...rows(`esrgan-slim x4 ${size}x${size}`, await interleaved(fns, rounds), true));
    }
  } finally {
    await runtime.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
