// Flux packing against diffusers' FluxPipeline definitions: _pack_latents is
// view(B, C, h/2, 2, w/2, 2).permute(0, 2, 4, 1, 3, 5).reshape(B, h/2·w/2, 4C), and _prepare_latent_image_ids puts
// the patch row in id[..., 1] and the column in id[..., 2].
import { describe, expect, it } from 'vitest';
import { latentImageIds, packLatents, textIds, unpackLatents } from './flux-latents';

describe('Flux latent packing', () => {
  const [b, c, h, w] = [2, 3, 4, 6];
  const latent = { data: Float32Array.from({ length: b * c * h * w }, (_, i) => Math.sin(i * 1.7) * 3), dims: [b, c, h, w] };

  it('puts latent[n, ch, 2y+dy, 2x+dx] at token y·(w/2)+x, feature ch·4 + dy·2 + dx', () => {
    const packed = packLatents(latent);
    expect(packed.dims).toEqual([b, (h / 2) * (w / 2), 4 * c]);
    for (let n = 0; n < b; n++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const token = Math.floor(y / 2) * (w / 2) + Math.floor(x / 2);
      const feature = ch * 4 + (y % 2) * 2 + (x % 2);
      expect(packed.data[(n * packed.dims[1] + token) * 4 * c + feature]).toBe(latent.data[((n * c + ch) * h + y) * w + x]);
    }
  });

  it('unpacks to exactly the latent it packed', () => {
    const back = unpackLatents(packLatents(latent), h, w);
    expect(back.dims).toEqual(latent.dims);
    expect(back.data).toEqual(latent.data);
  });

  it('image ids are [0, row, col] per patch in row-major order; text ids are zeros', () => {
    const ids = latentImageIds(4, 6);
    expect(ids.dims).toEqual([6, 3]);
    expect(Array.from(ids.data)).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 2, 0, 1, 0, 0, 1, 1, 0, 1, 2]);
    expect(textIds(5)).toEqual({ data: new Float32Array(15), dims: [5, 3] });
  });
});
