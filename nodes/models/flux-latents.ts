// Flux's packed latents, as diffusers' FluxPipeline builds them: a [B, C, h, w] latent becomes [B, (h/2)(w/2), 4C]
// tokens, one per 2x2 patch, features in (c, dy, dx) order (_pack_latents); image token ids are
// [0, row, col] per patch in row-major order (_prepare_latent_image_ids) and text ids are zeros.
import type { Tensor } from '../runtime/tensor';

/** [B, C, h, w] -> [B, (h/2)(w/2), 4C]. */
export function packLatents(t: Tensor): Tensor {
  const [b, c, h, w] = t.dims;
  const hh = h / 2;
  const ww = w / 2;
  const out = new Float32Array(t.data.length);
  let o = 0;
  for (let n = 0; n < b; n++) {
    for (let y = 0; y < hh; y++) {
      for (let x = 0; x < ww; x++) {
        for (let ch = 0; ch < c; ch++) {
          const base = ((n * c + ch) * h + 2 * y) * w + 2 * x;
          out[o++] = t.data[base];
          out[o++] = t.data[base + 1];
          out[o++] = t.data[base + w];
          out[o++] = t.data[base + w + 1];
        }
      }
    }
  }
  return { data: out, dims: [b, hh * ww, 4 * c] };
}

/** The inverse of packLatents for an [h, w] latent: [B, (h/2)(w/2), 4C] -> [B, C, h, w]. */
export function unpackLatents(t: Tensor, h: number, w: number): Tensor {
  const [b, , f] = t.dims;
  const c = f / 4;
  const out = new Float32Array(t.data.length);
  let i = 0;
  for (let n = 0; n < b; n++) {
    for (let y = 0; y < h / 2; y++) {
      for (let x = 0; x < w / 2; x++) {
        for (let ch = 0; ch < c; ch++) {
          const base = ((n * c + ch) * h + 2 * y) * w + 2 * x;
          out[base] = t.data[i++];
          out[base + 1] = t.data[i++];
          out[base + w] = t.data[i++];
          out[base + w + 1] = t.data[i++];
        }
      }
    }
  }
  return { data: out, dims: [b, c, h, w] };
}

/** [(h/2)(w/2), 3]: id[..., 1] = patch row, id[..., 2] = patch column, id[..., 0] = 0. */
export function latentImageIds(h: number, w: number): Tensor {
  const hh = h / 2;
  const ww = w / 2;
  const data = new Float32Array(hh * ww * 3);
  for (let y = 0; y < hh; y++) {
    for (let x = 0; x < ww; x++) {
      data[(y * ww + x) * 3 + 1] = y;
      data[(y * ww + x) * 3 + 2] = x;
    }
  }
  return { data, dims: [hh * ww, 3] };
}

/** [T, 3] zeros: every text token sits at position 0. */
export function textIds(tokens: number): Tensor {
  return { data: new Float32Array(tokens * 3), dims: [tokens, 3] };
}
