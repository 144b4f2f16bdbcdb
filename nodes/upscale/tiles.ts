// Tile layout for upscaling large images: overlapping tiles along each axis and feather weights that
// sum to exactly 1 at every output pixel, so blended seams need no normalisation pass.

export interface AxisPlan {
  /** Input-pixel start of each tile; every tile is `size` long (the last one ends at the image edge). */
  starts: number[];
  size: number;
}

/**
 * Tiles of `tile` pixels covering `length`, each neighbour overlapping by at least `overlap`,
 * spread evenly so no overlap is much wider than the others.
 */
export function planAxis(length: number, tile: number, overlap: number): AxisPlan {
  if (tile >= length) return { starts: [0], size: length };
  if (overlap * 3 > tile) throw new RangeError(`overlap ${overlap} must be at most a third of the tile (${tile})`);
  const n = Math.ceil((length - overlap) / (tile - overlap));
  const starts = Array.from({ length: n }, (_, i) => Math.round((i * (length - tile)) / (n - 1)));
  return { starts, size: tile };
}

/** Raised-cosine step from 0 (t <= 0) to 1 (t >= 1). */
function smoothStep(t: number): number {
  if (t <= 0) return 0;
  if (t >= 1) return 1;
  return 0.5 - 0.5 * Math.cos(Math.PI * t);
}

/**
 * Weight of tile `i` for each of its output pixels (tile length * scale). Between neighbours the
 * hand-over happens in a band `overlap` wide centred in their common region; inside the band the outer
 * `margin` pixels on each side belong to one tile alone, because a tile's pixels near its own cut edge
 * lack context (the convolutions saw zero padding there). Neighbours use complementary weights
 * of the same coordinate, so the sum over tiles is 1 everywhere.
 */
export function axisWeights(plan: AxisPlan, i: number, scale: number, overlap: number, margin: number): Float32Array {
  const start = plan.starts[i];
  const out = new Float32Array(plan.size * scale);
  const band = (j: number) => {
    // common region of tiles j and j+1: [starts[j+1], starts[j] + size)
    const centre = (plan.starts[j + 1] + plan.starts[j] + plan.size) / 2;
    return { from: centre - overlap / 2 + margin, width: Math.max(overlap - 2 * margin, 1e-6) };
  };
  const rise = i > 0 ? band(i - 1) : undefined;
  const fall = i < plan.starts.length - 1 ? band(i) : undefined;
  for (let k = 0; k < out.length; k++) {
    const x = start + (k + 0.5) / scale; // output pixel centre in input coordinates
    let w = 1;
    if (rise) w *= smoothStep((x - rise.from) / rise.width);
    if (fall) w *= 1 - smoothStep((x - fall.from) / fall.width);
    out[k] = w;
  }
  return out;
}
