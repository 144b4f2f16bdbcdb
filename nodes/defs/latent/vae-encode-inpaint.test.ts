// VAE Encode for Inpainting: greying under the rounded mask, ComfyUI's grow window, and shape errors.
import { describe, expect, it } from 'vitest';
import type { ExecuteContext } from '../../define';
import { NodeInputError } from '../../engine/errors';
import type { Tensor } from '../../runtime/tensor';
import type { VaeModel } from '../../values';
import { growMask, vaeEncodeInpaint } from './vae-encode-inpaint';

/** A VAE whose "latent" is the image it was given, so the test sees what would be encoded. */
const echoVae = { encode: async (image: Tensor) => image } as unknown as VaeModel;

const row = (values: number[]) => ({ data: Float32Array.from(values), dims: [1, 1, 1, values.length] });

describe('growMask', () => {
  it('dilates a g x g square from ceil((g-1)/2) before each pixel to the rest after it (ComfyUI\'s conv padding)', () => {
    const one = row([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    // g = 6: p = 3, the window of pixel i is i-3 .. i+2, so pixel 5 reaches 3 .. 8.
    expect(Array.from(growMask(one, 6).data)).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
    // g = 3: p = 1, symmetric.
    expect(Array.from(growMask(one, 3).data)).toEqual([0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0]);
  });

  it('grows along both axes', () => {
    const m = { data: new Float32Array(25), dims: [1, 1, 5, 5] };
    m.data[12] = 1;
    const grown = growMask(m, 3).data;
    expect(Array.from(grown).filter((v) => v === 1)).toHaveLength(9);
    expect([grown[6], grown[8], grown[16], grown[18], grown[0]]).toEqual([1, 1, 1, 1, 0]);
  });
});

describe('VAE Encode for Inpainting', () => {
  const image = { data: new Float32Array(3 * 8 * 8).fill(0.9), dims: [1, 3, 8, 8] };
  const mask = { data: new Float32Array(64), dims: [1, 1, 8, 8] };
  mask.data[0] = 1;
  mask.data[1] = 0.6;
  mask.data[2] = 0.4;
  const run = (p: { grow_mask_by: number }, m: Tensor = mask, img: Tensor = image) =>
    vaeEncodeInpaint.execute({} as ExecuteContext, { image: img, vae: echoVae, mask: m }, p);

  it('greys (0.5) the pixels whose mask rounds to 1 in every channel and keeps the rest', async () => {
    const { latent } = await run({ grow_mask_by: 0 });
    for (let c = 0; c < 3; c++) {
      expect(Array.from(latent.samples.data.subarray(c * 64, c * 64 + 4))).toEqual([0.5, 0.5, Math.fround(0.9), Math.fround(0.9)]);
    }
    // grow 0 hands the mask on as it came (ComfyUI), soft values included.
    expect(latent.noiseMask).toBe(mask);
  });

  it('hands on the rounded mask grown by grow_mask_by', async () => {
    const { latent } = await run({ grow_mask_by: 2 });
    // Rounded: pixels 0 and 1 of row 0. g = 2, p = 1: output i reads inputs i-1 .. i, so the mask spreads one pixel
    // right and one row down.
    expect(Array.from(latent.noiseMask!.data.subarray(0, 4))).toEqual([1, 1, 1, 0]);
    expect(Array.from(latent.noiseMask!.data.subarray(8, 12))).toEqual([1, 1, 1, 0]);
    expect(Array.from(latent.noiseMask!.data.subarray(16, 20))).toEqual([0, 0, 0, 0]);
  });

  it('refuses a mask of another size and an image that is no multiple of 8, naming the input', async () => {
    const small = { data: new Float32Array(16), dims: [1, 1, 4, 4] };
    await expect(run({ grow_mask_by: 0 }, small)).rejects.toMatchObject({ code: 'mask_shape', param: 'mask' });
    const odd = { data: new Float32Array(3 * 12 * 12), dims: [1, 3, 12, 12] };
    await expect(run({ grow_mask_by: 0 }, small, odd)).rejects.toBeInstanceOf(NodeInputError);
    await expect(run({ grow_mask_by: 0 }, small, odd)).rejects.toMatchObject({ code: 'image_size', param: 'image' });
  });
});
