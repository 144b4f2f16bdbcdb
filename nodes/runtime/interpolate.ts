// Resizing NCHW tensors the way torch.nn.functional.interpolate does (align_corners=False), so a latent upscaled here
// matches ComfyUI's "Upscale Latent": nearest ("nearest-exact": the source pixel whose centre is nearest), bilinear,
// and bicubic (Keys' kernel with a = -0.75, borders replicated).
import type { Tensor } from './tensor';

export const INTERPOLATIONS = ['nearest', 'bilinear', 'bicubic'] as const;
export type Interpolation = (typeof INTERPOLATIONS)[number];

/** Source taps and their weights for one output coordinate. */
interface Taps {
  index: Int32Array;
  weight: Float64Array;
  /** Taps per output coordinate. */
  n: number;
}

function cubic(x: number): number {
  const a = -0.75;
  const t = Math.abs(x);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}

function taps(inSize: number, outSize: number, method: Interpolation): Taps {
  const scale = inSize / outSize;
  const n = method === 'nearest' ? 1 : method === 'bilinear' ? 2 : 4;
  const index = new Int32Array(outSize * n);
  const weight = new Float64Array(outSize * n);
  const clamp = (i: number) => Math.min(inSize - 1, Math.max(0, i));
  for (let o = 0; o < outSize; o++) {
    if (method === 'nearest') {
      index[o] = clamp(Math.floor((o + 0.5) * scale));
      weight[o] = 1;
      continue;
    }
    const src = (o + 0.5) * scale - 0.5;
    if (method === 'bilinear') {
      // torch clamps a linear source coordinate at 0 (the first half pixel repeats the edge).
      const s = Math.max(0, src);
      const i0 = Math.floor(s);
      const l = s - i0;
      index[o * 2] = clamp(i0);
      index[o * 2 + 1] = clamp(i0 + 1);
      weight[o * 2] = 1 - l;
      weight[o * 2 + 1] = l;
      continue;
    }
    const i0 = Math.floor(src);
    const t = src - i0;
    for (let k = 0; k < 4; k++) {
      index[o * 4 + k] = clamp(i0 - 1 + k);
      weight[o * 4 + k] = cubic(t + 1 - k);
    }
  }
  return { index, weight, n };
}

/** [B, C, H, W] → [B, C, outH, outW]: rows first, then columns (separable, as torch computes it). */
export function interpolate(t: Tensor, outH: number, outW: number, method: Interpolation): Tensor {
  const [b, c, h, w] = t.dims;
  const planes = b * c;
  const tx = taps(w, outW, method);
  const ty = taps(h, outH, method);
  // Horizontal pass into [planes, h, outW], then vertical into [planes, outH, outW].
  const mid = new Float64Array(planes * h * outW);
  for (let p = 0; p < planes; p++) {
    for (let y = 0; y < h; y++) {
      const row = (p * h + y) * w;
      const out = (p * h + y) * outW;
      for (let x = 0; x < outW; x++) {
        let v = 0;
        for (let k = 0; k < tx.n; k++) v += tx.weight[x * tx.n + k] * t.data[row + tx.index[x * tx.n + k]];
        mid[out + x] = v;
      }
    }
  }
  const data = new Float32Array(planes * outH * outW);
  for (let p = 0; p < planes; p++) {
    for (let y = 0; y < outH; y++) {
      const out = (p * outH + y) * outW;
      for (let x = 0; x < outW; x++) {
        let v = 0;
        for (let k = 0; k < ty.n; k++) v += ty.weight[y * ty.n + k] * mid[(p * h + ty.index[y * ty.n + k]) * outW + x];
        data[out + x] = v;
      }
    }
  }
  return { data, dims: [b, c, outH, outW] };
}
