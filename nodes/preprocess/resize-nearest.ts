// Nearest-neighbour resize of an NCHW tensor (ControlNet hints brought to the latent's pixel size): pixel centres map
// to source index floor((x + 0.5) * src / dst), torch's nearest-exact, ComfyUI's default for ControlNet hints.
import type { Tensor } from '../runtime/tensor';

export function resizeNearest(t: Tensor, width: number, height: number): Tensor {
  const [b, c, h, w] = t.dims;
  if (h === height && w === width) return t;
  const xs = Array.from({ length: width }, (_, x) => Math.min(w - 1, Math.floor(((x + 0.5) * w) / width)));
  const ys = Array.from({ length: height }, (_, y) => Math.min(h - 1, Math.floor(((y + 0.5) * h) / height)));
  const data = new Float32Array(b * c * width * height);
  for (let p = 0; p < b * c; p++) {
    for (let y = 0; y < height; y++) {
      const src = p * h * w + ys[y] * w;
      const dst = p * height * width + y * width;
      for (let x = 0; x < width; x++) data[dst + x] = t.data[src + xs[x]];
    }
  }
  return { data, dims: [b, c, height, width] };
}
