// Image tensor reshuffles an upscaler needs around its model: NCHW <-> NHWC and edge padding.
import type { Tensor } from '../runtime/tensor';

export function nchwToNhwc(t: Tensor): Tensor {
  const [b, c, h, w] = t.dims;
  const plane = h * w;
  const out = new Float32Array(t.data.length);
  for (let n = 0; n < b; n++) {
    const base = n * c * plane;
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < plane; i++) out[base + i * c + ch] = t.data[base + ch * plane + i];
    }
  }
  return { data: out, dims: [b, h, w, c] };
}

export function nhwcToNchw(t: Tensor): Tensor {
  const [b, h, w, c] = t.dims;
  const plane = h * w;
  const out = new Float32Array(t.data.length);
  for (let n = 0; n < b; n++) {
    const base = n * c * plane;
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < plane; i++) out[base + ch * plane + i] = t.data[base + i * c + ch];
    }
  }
  return { data: out, dims: [b, c, h, w] };
}

/** The [1, C, H, W] image grown to [1, C, height, width] by repeating its last row and column. */
export function padEdge(t: Tensor, height: number, width: number): Tensor {
  const [, c, h, w] = t.dims;
  if (height === h && width === w) return t;
  const out = new Float32Array(c * height * width);
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < height; y++) {
      const sy = Math.min(y, h - 1);
      for (let x = 0; x < width; x++) out[(ch * height + y) * width + x] = t.data[(ch * h + sy) * w + Math.min(x, w - 1)];
    }
  }
  return { data: out, dims: [1, c, height, width] };
}
