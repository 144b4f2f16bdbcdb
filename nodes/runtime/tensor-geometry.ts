// Exact pixel geometry on NCHW tensors (no resampling): crop a rectangle, flip, rotate by quarter turns.
import { tensor, type Tensor } from './tensor';

/** The [x, x+width) × [y, y+height) rectangle of every batch item and channel. The caller checks the bounds. */
export function cropTensor(t: Tensor, x: number, y: number, width: number, height: number): Tensor {
  const [b, c, h, w] = t.dims;
  const out = tensor([b, c, height, width]);
  for (let plane = 0; plane < b * c; plane++) {
    for (let row = 0; row < height; row++) {
      const from = plane * h * w + (y + row) * w + x;
      out.data.set(t.data.subarray(from, from + width), plane * height * width + row * width);
    }
  }
  return out;
}

export type Transform = 'flip_horizontal' | 'flip_vertical' | 'rotate_90' | 'rotate_180' | 'rotate_270';

/** Quarter turns are clockwise, as image viewers turn pictures. */
export function transformTensor(t: Tensor, op: Transform): Tensor {
  const [b, c, h, w] = t.dims;
  const turns = op === 'rotate_90' || op === 'rotate_270';
  const [oh, ow] = turns ? [w, h] : [h, w];
  const out = tensor([b, c, oh, ow]);
  for (let plane = 0; plane < b * c; plane++) {
    const src = plane * h * w;
    const dst = plane * oh * ow;
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        // Where output pixel (x, y) comes from in the input.
        let sx: number; let sy: number;
        switch (op) {
          case 'flip_horizontal': sx = w - 1 - x; sy = y; break;
          case 'flip_vertical': sx = x; sy = h - 1 - y; break;
          case 'rotate_180': sx = w - 1 - x; sy = h - 1 - y; break;
          case 'rotate_90': sx = y; sy = h - 1 - x; break;
          case 'rotate_270': sx = w - 1 - y; sy = x; break;
        }
        out.data[dst + y * ow + x] = t.data[src + sy * w + sx];
      }
    }
  }
  return out;
}
