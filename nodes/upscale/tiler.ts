// Runs an image-to-image upscaling function tile by tile and feathers the tiles together: progress
// per tile, cancellation between tiles, and a smaller tile when the runtime runs out of memory.
import { throwIfCancelled } from '../engine/errors';
import type { Tensor } from '../runtime/tensor';
import { axisWeights, planAxis } from './tiles';

/** Upscales one [1, C, h, w] tile to [1, C, h*scale, w*scale]. */
export type TileRunner = (tile: Tensor) => Promise<Tensor>;

export interface TileOptions {
  scale: number;
  /** Tile side in input pixels, or [height, width] (fixed-size models); clipped to the image. */
  tile: number | readonly [number, number];
  /** Context shared by neighbouring tiles, input pixels; shrunk to a third of the tile when needed. */
  overlap?: number;
  /** Smallest tile a memory failure may halve to. */
  minTile?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Called when a memory failure made the tiler start over with a smaller tile. */
  onRetry?: (tile: number, error: Error) => void;
}

export const DEFAULT_OVERLAP = 32;
/** Smaller tiles leave too little context in the overlap: esrgan-slim seams reach 3/255 at 32 px. */
export const DEFAULT_MIN_TILE = 48;

export class UpscaleMemoryError extends Error {
  readonly code = 'upscale_out_of_memory';
  constructor(readonly tile: number, options?: { cause?: unknown }) {
    super(`upscaling ran out of memory even with ${tile}px tiles; lower the tile size or free memory (close other models)`, options);
    this.name = 'UpscaleMemoryError';
  }
}

/** ORT's allocation failures ("Failed to allocate memory", bad_alloc) and the JS engine's own. */
export function isAllocationError(e: unknown): boolean {
  if (e instanceof RangeError && /allocation|array buffer/i.test(e.message)) return true;
  const m = e instanceof Error ? `${e.message} ${(e.cause as Error | undefined)?.message ?? ''}` : String(e);
  return /failed to allocate|bad_alloc|bad allocation|out of memory|allocation failed|cannot allocate/i.test(m);
}

/** Overlap and the unblended margin used for a given tile size. */
export function tileOverlap(tile: number, requested = DEFAULT_OVERLAP): { overlap: number; margin: number } {
  const overlap = Math.max(0, Math.min(requested, Math.floor(tile / 3)));
  return { overlap, margin: Math.floor(overlap / 4) };
}

/** Upscales a [1, C, H, W] image; a tile as large as the image means one untiled run. */
export async function upscaleTiled(image: Tensor, run: TileRunner, opts: TileOptions): Promise<Tensor> {
  let tile: [number, number] = typeof opts.tile === 'number' ? [opts.tile, opts.tile] : [opts.tile[0], opts.tile[1]];
  tile = [Math.max(1, Math.floor(tile[0])), Math.max(1, Math.floor(tile[1]))];
  const minTile = opts.minTile ?? DEFAULT_MIN_TILE;
  for (;;) {
    try {
      return await tiledPass(image, run, tile, opts);
    } catch (e) {
      if (!isAllocationError(e)) throw e;
      const [, , h, w] = image.dims;
      const next: [number, number] = [Math.floor(Math.min(tile[0], h) / 2), Math.floor(Math.min(tile[1], w) / 2)];
      if (Math.min(...next) < minTile) throw new UpscaleMemoryError(Math.min(...tile), { cause: e });
      opts.onRetry?.(Math.min(...next), e as Error);
      tile = next;
    }
  }
}

async function tiledPass(image: Tensor, run: TileRunner, [tileH, tileW]: [number, number], opts: TileOptions): Promise<Tensor> {
  const [, channels, height, width] = image.dims;
  const s = opts.scale;
  const { overlap, margin } = tileOverlap(Math.min(tileH, tileW), opts.overlap);
  const rows = planAxis(height, tileH, overlap);
  const cols = planAxis(width, tileW, overlap);
  const total = rows.starts.length * cols.starts.length;
  throwIfCancelled(opts.signal);
  if (total === 1) {
    const out = checked(await run(image), channels, height * s, width * s);
    opts.onProgress?.(1, 1);
    return out;
  }
  const outW = width * s, outH = height * s;
  const out = new Float32Array(channels * outH * outW);
  const rowWeights = rows.starts.map((_, i) => axisWeights(rows, i, s, overlap, margin));
  const colWeights = cols.starts.map((_, i) => axisWeights(cols, i, s, overlap, margin));
  let done = 0;
  for (let r = 0; r < rows.starts.length; r++) {
    for (let c = 0; c < cols.starts.length; c++) {
      throwIfCancelled(opts.signal);
      const y0 = rows.starts[r], x0 = cols.starts[c];
      const th = rows.size, tw = cols.size;
      const up = checked(await run(crop(image, y0, x0, th, tw)), channels, th * s, tw * s);
      blend(out, outW, outH, up, y0 * s, x0 * s, rowWeights[r], colWeights[c]);
      opts.onProgress?.(++done, total);
    }
  }
  return { data: out, dims: [1, channels, outH, outW] };
}

function checked(t: Tensor, channels: number, h: number, w: number): Tensor {
  const [, c, th, tw] = t.dims;
  if (c !== channels || th !== h || tw !== w) {
    throw new RangeError(`the upscaler returned [${t.dims.join(', ')}] for a tile that should become [1, ${channels}, ${h}, ${w}]`);
  }
  return t;
}

export function crop(image: Tensor, y0: number, x0: number, h: number, w: number): Tensor {
  const [, channels, height, width] = image.dims;
  const data = new Float32Array(channels * h * w);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < h; y++) {
      const src = (c * height + y0 + y) * width + x0;
      data.set(image.data.subarray(src, src + w), (c * h + y) * w);
    }
  }
  return { data, dims: [1, channels, h, w] };
}

function blend(out: Float32Array, outW: number, outH: number, tile: Tensor, oy: number, ox: number, wy: Float32Array, wx: Float32Array): void {
  const [, channels, th, tw] = tile.dims;
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < th; y++) {
      const ry = wy[y];
      if (ry === 0) continue;
      const dst = (c * outH + oy + y) * outW + ox;
      const src = (c * th + y) * tw;
      for (let x = 0; x < tw; x++) {
        const w = ry * wx[x];
        if (w !== 0) out[dst + x] += w * tile.data[src + x];
      }
    }
  }
}
