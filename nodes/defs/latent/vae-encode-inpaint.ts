// VAE Encode for Inpainting: IMAGE + MASK -> a LATENT of the image with the masked pixels greyed, carrying the grown
// mask: the input of a 9-channel inpainting U-Net (and a noise mask for any model).
import { defineNode, param } from '../../define';
import { NodeInputError } from '../../engine/errors';
import type { Tensor } from '../../runtime/tensor';

export const vaeEncodeInpaint = defineNode({
  type: 'vae_encode_inpaint',
  version: 1,
  title: 'VAE Encode for Inpainting',
  category: 'latent',
  description: 'Greys the masked pixels (0.5) and encodes the image; the latent carries the mask grown by grow_mask_by pixels. ' +
    'For inpainting checkpoints (9 input channels); width and height multiples of 8.',
  aliases: ['VAEEncodeForInpaint'],
  inputs: { image: { type: 'IMAGE' }, vae: { type: 'VAE' }, mask: { type: 'MASK' } },
  params: {
    grow_mask_by: param.int({ default: 6, min: 0, max: 64, label: 'grow mask by', description: 'pixels; the repainted area reaches this far past the mask so its edge blends' }),
  },
  outputs: { latent: { type: 'LATENT' } },
  outputSize: (_p, { image }) => image,
  async execute(ctx, { image, vae, mask }, p) {
    const [b, , h, w] = image.dims;
    if (h % 8 !== 0 || w % 8 !== 0) {
      throw new NodeInputError('image_size', `image is ${w}x${h}; VAE Encode for Inpainting needs width and height that are multiples of 8. Add a Resize Image node before it.`, 'image');
    }
    const [mb, mc, mh, mw] = mask.dims;
    if (mc !== 1 || mh !== h || mw !== w || (mb !== 1 && mb !== b)) {
      throw new NodeInputError('mask_shape', `the mask is ${mw}x${mh} (batch ${mb}, ${mc} channel(s)) but the image is ${w}x${h} (batch ${b}); use a 1-channel mask of the image's size`, 'mask');
    }
    const hard = roundMask(mask);
    const samples = await vae.encode(greyMasked(image, hard), ctx.signal);
    return { latent: { samples, noiseMask: p.grow_mask_by > 0 ? growMask(hard, p.grow_mask_by) : mask } };
  },
});

function roundMask(mask: Tensor): Tensor {
  return { data: mask.data.map((v) => (v >= 0.5 ? 1 : 0)), dims: [...mask.dims] };
}

/** RGB only (alpha dropped), masked pixels set to 0.5: the grey diffusers and ComfyUI feed inpainting U-Nets. */
function greyMasked(image: Tensor, mask: Tensor): Tensor {
  const [b, c, h, w] = image.dims;
  const plane = h * w;
  const out = new Float32Array(b * 3 * plane);
  for (let n = 0; n < b; n++) {
    const m = mask.data.subarray((mask.dims[0] === 1 ? 0 : n) * plane);
    for (let k = 0; k < 3; k++) {
      const src = (n * c + k) * plane;
      const dst = (n * 3 + k) * plane;
      for (let i = 0; i < plane; i++) out[dst + i] = m[i] ? 0.5 : image.data[src + i];
    }
  }
  return { data: out, dims: [b, 3, h, w] };
}

/**
 * Dilation by a g x g square, ComfyUI's grow_mask_by: a window from p = ceil((g-1)/2) before the pixel to g-1-p after
 * it. Done as a row pass then a column pass (a square's max separates).
 */
export function growMask(mask: Tensor, g: number): Tensor {
  const [b, , h, w] = mask.dims;
  const p = Math.ceil((g - 1) / 2);
  const rows = new Float32Array(mask.data.length);
  const out = new Float32Array(mask.data.length);
  for (let n = 0; n < b; n++) {
    const base = n * h * w;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let m = 0;
        for (let k = Math.max(0, x - p); k <= Math.min(w - 1, x - p + g - 1) && !m; k++) m = mask.data[base + y * w + k];
        rows[base + y * w + x] = m;
      }
    }
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let m = 0;
        for (let k = Math.max(0, y - p); k <= Math.min(h - 1, y - p + g - 1) && !m; k++) m = rows[base + k * w + x];
        out[base + y * w + x] = m;
      }
    }
  }
  return { data: out, dims: [...mask.dims] };
}
