// Canny edge detection on one grayscale plane: Gaussian blur, Sobel gradients, non-maximum suppression, double
// threshold, hysteresis. The scale follows kornia.filters.canny (ComfyUI's Canny node): values in [0,1], a 5x5
// Gaussian of sigma 1, unnormalised 3x3 Sobel, so thresholds 0.01-0.99 apply to the same gradient magnitudes.

/** ITU-R BT.601 luma weights, the ones kornia's rgb_to_grayscale uses. */
const LUMA = [0.299, 0.587, 0.114] as const;
const RADIUS = 2;
const SIGMA = 1;

export interface CannyOptions {
  low: number;
  high: number;
}

/** Luma of one NCHW batch item (1 channel: as it is; RGB(A): weighted, alpha ignored). */
export function grayscale(data: Float32Array, channels: number, plane: number, offset = 0): Float32Array {
  const out = new Float32Array(plane);
  if (channels < 3) {
    out.set(data.subarray(offset, offset + plane));
    return out;
  }
  for (let c = 0; c < 3; c++) {
    const base = offset + c * plane;
    for (let i = 0; i < plane; i++) out[i] += LUMA[c] * data[base + i];
  }
  return out;
}

function gaussianKernel(): Float32Array {
  const k = new Float32Array(2 * RADIUS + 1);
  let sum = 0;
  for (let i = -RADIUS; i <= RADIUS; i++) sum += k[i + RADIUS] = Math.exp(-(i * i) / (2 * SIGMA * SIGMA));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/** Mirror an index into [0, n) without repeating the edge sample (reflect padding, kornia's blur default). */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

/** Separable 5x5 Gaussian blur with reflect padding. */
export function gaussianBlur(src: Float32Array, w: number, h: number): Float32Array {
  const k = gaussianKernel();
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let d = -RADIUS; d <= RADIUS; d++) s += k[d + RADIUS] * src[y * w + reflect(x + d, w)];
      tmp[y * w + x] = s;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let d = -RADIUS; d <= RADIUS; d++) s += k[d + RADIUS] * tmp[reflect(y + d, h) * w + x];
      out[y * w + x] = s;
    }
  }
  return out;
}

/** Unnormalised Sobel gradients with replicate padding (kornia's spatial_gradient). */
export function sobel(src: Float32Array, w: number, h: number): { gx: Float32Array; gy: Float32Array } {
  const gx = new Float32Array(w * h);
  const gy = new Float32Array(w * h);
  const at = (x: number, y: number) => src[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const tl = at(x - 1, y - 1), t = at(x, y - 1), tr = at(x + 1, y - 1);
      const l = at(x - 1, y), r = at(x + 1, y);
      const bl = at(x - 1, y + 1), b = at(x, y + 1), br = at(x + 1, y + 1);
      gx[y * w + x] = tr + 2 * r + br - tl - 2 * l - bl;
      gy[y * w + x] = bl + 2 * b + br - tl - 2 * t - tr;
    }
  }
  return { gx, gy };
}

/** Magnitudes closer than this count as equal: a step between two pixels gives both the same value up to rounding. */
const TIE = 1e-5;

/**
 * Keeps a pixel whose magnitude is a maximum along its gradient direction (rounded to 45 degrees). A step between two
 * pixels gives them equal magnitudes: strict comparison would drop both and a loose one keep a two-pixel line, so a
 * tie goes to the brighter pixel (of the blurred image): a white shape's outline is its own border pixels.
 */
export function nonMaximumSuppression(gx: Float32Array, gy: Float32Array, blurred: Float32Array, w: number, h: number): Float32Array {
  const mag = new Float32Array(w * h);
  for (let i = 0; i < mag.length; i++) mag[i] = Math.hypot(gx[i], gy[i]);
  const out = new Float32Array(w * h);
  const beats = (i: number, x: number, y: number) => {
    if (x < 0 || y < 0 || x >= w || y >= h) return true;
    const j = y * w + x;
    const d = mag[i] - mag[j];
    return d > TIE || (d >= -TIE && blurred[i] > blurred[j]);
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (mag[i] <= TIE) continue;
      // Direction in image coordinates (y down), folded into [0, 180) and rounded to a 45-degree sector.
      let angle = (Math.atan2(gy[i], gx[i]) * 180) / Math.PI;
      if (angle < 0) angle += 180;
      const [dx, dy] = [[1, 0], [1, 1], [0, 1], [-1, 1]][Math.round(angle / 45) % 4];
      if (beats(i, x - dx, y - dy) && beats(i, x + dx, y + dy)) out[i] = mag[i];
    }
  }
  return out;
}

/** Double threshold and hysteresis: strong pixels (>= high) and weak ones (>= low) 8-connected to a strong one. */
export function hysteresis(thin: Float32Array, w: number, h: number, { low, high }: CannyOptions): Uint8Array {
  const edge = new Uint8Array(w * h);
  const stack: number[] = [];
  for (let i = 0; i < thin.length; i++) {
    if (thin[i] >= high && thin[i] > 0) {
      edge[i] = 1;
      stack.push(i);
    }
  }
  while (stack.length > 0) {
    const i = stack.pop()!;
    const x = i % w, y = (i - x) / w;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx, ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
        const j = ny * w + nx;
        if (!edge[j] && thin[j] >= low && thin[j] > 0) {
          edge[j] = 1;
          stack.push(j);
        }
      }
    }
  }
  return edge;
}

/** Edge map (1 = edge) of a grayscale plane in [0,1]. */
export function cannyEdges(gray: Float32Array, w: number, h: number, opts: CannyOptions): Uint8Array {
  const blurred = gaussianBlur(gray, w, h);
  const { gx, gy } = sobel(blurred, w, h);
  return hysteresis(nonMaximumSuppression(gx, gy, blurred, w, h), w, h, opts);
}
