// Set Latent Noise Mask: attaches the mask as it is; shapes that cannot belong to the latent fail naming the input.
import { describe, expect, it } from 'vitest';
import { setLatentNoiseMask } from './set-noise-mask';
import type { ExecuteContext } from '../../define';
import { NodeInputError } from '../../engine/errors';

const latent = (b: number) => ({ samples: { data: new Float32Array(b * 4 * 4 * 8), dims: [b, 4, 4, 8] } });
const mask = (b: number, h: number, w: number, c = 1) => ({ data: new Float32Array(b * c * h * w).fill(1), dims: [b, c, h, w] });
const run = (l: ReturnType<typeof latent>, m: ReturnType<typeof mask>) => setLatentNoiseMask.execute({} as ExecuteContext, { latent: l, mask: m }, {});

describe('Set Latent Noise Mask', () => {
  it('attaches the mask at image size and keeps the samples', async () => {
    const l = latent(2);
    const m = mask(1, 32, 64);
    const out = await run(l, m);
    expect(out.latent.samples).toBe(l.samples);
    expect(out.latent.noiseMask).toBe(m);
    expect(await run(latent(2), mask(2, 16, 32))).toBeTruthy();
  });

  it('refuses a mask of another aspect ratio, batch or channel count, naming the mask input', async () => {
    for (const [m, text] of [[mask(1, 64, 64), /64x64 .* 64x32/], [mask(3, 32, 64), /batch 1 or 2/], [mask(1, 32, 64, 3), /1 channel/]] as const) {
      const err = await run(latent(2), m).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NodeInputError);
      expect((err as NodeInputError).message).toMatch(text);
      expect((err as NodeInputError).param).toBe('mask');
    }
  });
});
