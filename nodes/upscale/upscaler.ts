// The UPSCALE_MODEL value: an ONNX super-resolution session that learns its scale, layout and range
// from the model (metadata or a probe run) and upscales any image size through memory-budgeted tiles.
import fs from 'node:fs';
import path from 'node:path';
import { outputFloat32 } from '../onnx/feeds';
import type { ModelSession, OnnxRuntime } from '../runtime/onnx';
import type { Tensor } from '../runtime/tensor';
import { batchItem, concatBatch } from '../runtime/tensor';
import { resizeImage } from '../runtime/image';
import type { UpscaleModel } from '../values';
import { readUpscalerGraph } from './graph-info';
import { crop, upscaleTiled, DEFAULT_MIN_TILE } from './tiler';
import { nchwToNhwc, nhwcToNchw, padEdge } from './layout';

export interface UpscalerOptions {
  /** Shown in summaries; default the file name. */
  name?: string;
  /** Memory for activations of one tile; sets the automatic tile size. Default 512 MiB. */
  memoryBudgetBytes?: number;
}

export const DEFAULT_MEMORY_BUDGET = 512 * 2 ** 20;

/**
 * Allowance over the liveness estimate for what it does not see. Measured on esrgan-slim x2/x4 (RSS
 * growth over a run of equal tiles): ~2.8x. ORT's CPU arena keeps the first run's buffers, then the
 * memory pattern of later runs of the same shape takes a second block of about the same size; the
 * rest is scratch space and arena rounding.
 */
const ESTIMATE_SAFETY = 3;
/** Floats per input pixel assumed when the graph cannot be followed (conservative for 4x models). */
const FALLBACK_FLOATS_PER_PIXEL = 2048;
const PROBE_SIZE = 16;

export class UpscalerModelError extends Error {
  readonly code = 'upscaler_model';
  constructor(readonly file: string, message: string) {
    super(`upscaler "${path.basename(file)}": ${message}`);
    this.name = 'UpscalerModelError';
  }
}

export class OnnxUpscaler implements UpscaleModel {
  readonly kind = 'upscaler';
  readonly loras: { name: string; strength: number }[] = [];
  readonly #session: ModelSession;

  private constructor(
    session: ModelSession,
    readonly name: string,
    readonly file: string,
    readonly scale: number,
    readonly layout: 'NCHW' | 'NHWC',
    /** Upper end of the pixel range the model takes and gives (1 or 255). */
    readonly range: number,
    /** Fixed [h, w] the model accepts, or undefined for any size. */
    readonly fixedSize: [number, number] | undefined,
    /** Estimated bytes of activations per input pixel (with the safety allowance). */
    readonly bytesPerPixel: number,
    readonly memoryBudgetBytes: number,
  ) {
    this.#session = session;
  }

  get provider(): string {
    return this.#session.provider;
  }

  static async load(runtime: OnnxRuntime, file: string, opts: UpscalerOptions = {}): Promise<OnnxUpscaler> {
    // The modification time in the key: a replaced file gets a new session, not the cached old one.
    const session = await runtime.session(`upscaler:${file}:${fs.statSync(file).mtimeMs}`, { path: file });
    const input = session.inputs[0], output = session.outputs[0];
    if (session.inputs.length !== 1 || !input || input.dims.length !== 4 || !output) {
      throw new UpscalerModelError(file, `expects one image input [batch, channels, height, width]; it has ${session.inputs.map((i) => `${i.name} [${i.dims.join(', ')}]`).join(', ')}`);
    }
    const { metadata, peakFloatsPerPixel } = readUpscalerGraph(file);
    const layout = metadata.layout === 'NHWC' || metadata.layout === 'NCHW'
      ? metadata.layout
      : input.dims[3] === 3 && input.dims[1] !== 3 ? 'NHWC' : 'NCHW';
    const [hDim, wDim] = layout === 'NCHW' ? [input.dims[2], input.dims[3]] : [input.dims[1], input.dims[2]];
    const fixedSize = typeof hDim === 'number' && typeof wDim === 'number' ? [hDim, wDim] as [number, number] : undefined;
    const range = metadata.range === '0-255' ? 255 : 1;
    const elemBytes = input.type === 'float16' ? 2 : 4;
    const probeSize = fixedSize ?? [PROBE_SIZE, PROBE_SIZE];
    const scale = Number(metadata.scale) || (await probeScale(session, layout, probeSize));
    if (!Number.isInteger(scale) || scale < 1) throw new UpscalerModelError(file, `scale ${scale} is not a whole number >= 1`);
    // The liveness walk reads channels from NCHW shapes; other layouts get the conservative guess.
    const floats = (layout === 'NCHW' ? peakFloatsPerPixel : undefined) ?? FALLBACK_FLOATS_PER_PIXEL;
    return new OnnxUpscaler(session, opts.name ?? path.basename(file), file, scale, layout, range, fixedSize,
      floats * elemBytes * ESTIMATE_SAFETY, opts.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET);
  }

  /** Square tile side (input pixels) whose activations fit the memory budget. */
  autoTile(budgetBytes = this.memoryBudgetBytes): number {
    if (this.fixedSize) return Math.min(...this.fixedSize);
    const side = Math.floor(Math.sqrt(budgetBytes / this.bytesPerPixel) / 8) * 8;
    return Math.max(DEFAULT_MIN_TILE * 2, side);
  }

  async upscale(image: Tensor, opts: { tile?: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<Tensor> {
    const [batch, channels] = image.dims;
    if (channels !== 3 && channels !== 4) throw new UpscalerModelError(this.file, `takes RGB or RGBA images, got ${channels} channels`);
    const results: Tensor[] = [];
    for (let b = 0; b < batch; b++) {
      const item = batch === 1 ? image : batchItem(image, b);
      const rgb = channels === 4 ? { data: item.data.slice(0, 3 * item.dims[2] * item.dims[3]), dims: [1, 3, item.dims[2], item.dims[3]] } : item;
      const onProgress = opts.onProgress && ((d: number, t: number) => opts.onProgress!(b * t + d, batch * t));
      let up = await this.#upscaleRgb(rgb, opts.tile, opts.signal, onProgress);
      if (channels === 4) up = await this.#withAlpha(item, up);
      results.push(up);
    }
    return batch === 1 ? results[0] : concatBatch(results);
  }

  async #upscaleRgb(image: Tensor, tile: number | undefined, signal?: AbortSignal, onProgress?: (d: number, t: number) => void): Promise<Tensor> {
    const [, , h, w] = image.dims;
    const s = this.scale;
    if (this.fixedSize) {
      // A fixed-size model sees exactly its size: pad small images by repeating the edge, then crop.
      const [fh, fw] = this.fixedSize;
      const padded = padEdge(image, Math.max(h, fh), Math.max(w, fw));
      const out = await upscaleTiled(padded, (t) => this.#runTile(t, signal), { scale: s, tile: [fh, fw], minTile: Math.min(fh, fw), signal, onProgress });
      return padded === image ? out : crop(out, 0, 0, h * s, w * s);
    }
    return upscaleTiled(image, (t) => this.#runTile(t, signal), { scale: s, tile: tile && tile > 0 ? tile : this.autoTile(), signal, onProgress });
  }

  async #runTile(tile: Tensor, signal?: AbortSignal): Promise<Tensor> {
    let data = tile.data;
    if (this.range !== 1) data = data.map((v) => v * this.range);
    const feed = this.layout === 'NHWC' ? nchwToNhwc({ data, dims: tile.dims }) : { data, dims: tile.dims };
    const outputs = await this.#session.run({ [this.#session.inputs[0].name]: feed }, { signal });
    const raw = outputs[this.#session.outputs[0].name];
    let out: Tensor = { data: outputFloat32(raw), dims: raw.dims };
    if (this.layout === 'NHWC') out = nhwcToNchw(out);
    const k = 1 / this.range;
    const d = out.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i] * k;
      d[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
    return out;
  }

  /** The model upscales colour only; alpha follows with a Lanczos resize. */
  async #withAlpha(item: Tensor, rgb: Tensor): Promise<Tensor> {
    const [, , h, w] = item.dims;
    const plane = h * w;
    const alpha = { data: item.data.slice(3 * plane, 4 * plane), dims: [1, 1, h, w] };
    const a = await resizeImage(alpha, w * this.scale, h * this.scale, 'lanczos3');
    // sharp hands a one-channel image back as grey RGB: keep one plane.
    const outPlane = rgb.data.length / 3;
    const out = new Float32Array(4 * outPlane);
    out.set(rgb.data);
    out.set(a.data.subarray(0, outPlane), 3 * outPlane);
    return { data: out, dims: [1, 4, h * this.scale, w * this.scale] };
  }
}

/** Output width of a probe image over its width: for models without a `scale` metadata entry. */
async function probeScale(session: ModelSession, layout: 'NCHW' | 'NHWC', [h, w]: [number, number]): Promise<number> {
  const dims = layout === 'NCHW' ? [1, 3, h, w] : [1, h, w, 3];
  const out = await session.run({ [session.inputs[0].name]: { data: new Float32Array(3 * h * w).fill(0.5), dims } });
  const o = out[session.outputs[0].name].dims;
  return (layout === 'NCHW' ? o[3] : o[2]) / w;
}

export function loadUpscaler(runtime: OnnxRuntime, file: string, opts?: UpscalerOptions): Promise<OnnxUpscaler> {
  return OnnxUpscaler.load(runtime, file, opts);
}
