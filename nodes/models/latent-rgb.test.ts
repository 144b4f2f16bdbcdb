import { describe, expect, it } from 'vitest';
import { latentToRgb, parseLatentRgb, SD15_LATENT_RGB } from './latent-rgb';
import { ModelFormatError } from './errors';

describe('latent -> RGB previews', () => {
  it('SD1.5: ComfyUI previewer (F^T z + 1) / 2 with the published factors', () => {
    // z = channel 0 only: (0.3512, 0.2297, 0.3227) -> ((v + 1) / 2)
    const one = latentToRgb({ data: Float32Array.from([1, 0, 0, 0]), dims: [1, 4, 1, 1] }, SD15_LATENT_RGB, { scale: 1 });
    expect(Array.from(one.data).map((v) => +v.toFixed(5))).toEqual([0.6756, 0.61485, 0.66135]);
    // z = -1 on channel 3 flips its row (-0.2120, -0.2616, -0.7177) to positive
    const four = latentToRgb({ data: Float32Array.from([0, 0, 0, -1]), dims: [1, 4, 1, 1] }, SD15_LATENT_RGB, { scale: 1 });
    expect(Array.from(four.data).map((v) => +v.toFixed(5))).toEqual([0.606, 0.6308, 0.85885]);
  });

  it('shows batch item 0 (or the one asked for) upsampled by nearest neighbour, clamped to [0, 1]', () => {
    const rgb = { factors: [[1, 0, 0], [0, 1, 0]], bias: [0, 0, 0.25] };
    // [2, 2, 1, 2]: item 0 = cells (0.5, 2) on ch0 and (0, -1) on ch1; item 1 differs
    const latent = { data: Float32Array.from([0.5, 2, 0, -1, 9, 9, 9, 9]), dims: [2, 2, 1, 2] };
    const img = latentToRgb(latent, rgb, { scale: 2 });
    expect(img.dims).toEqual([1, 3, 2, 4]);
    expect(Array.from(img.data.subarray(0, 8))).toEqual([0.5, 0.5, 1, 1, 0.5, 0.5, 1, 1]);
    expect(Array.from(img.data.subarray(8, 12))).toEqual([0, 0, 0, 0]);
    expect(Array.from(img.data.subarray(16, 20))).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(latentToRgb(latent, rgb, { scale: 1, batchIndex: 1 }).data[0]).toBe(1);
  });

  it('rejects factors that do not match the latent channels', () => {
    expect(() => parseLatentRgb({ factors: [[1, 0, 0]], bias: [0, 0, 0] }, 4, 'stepflow.json')).toThrow(ModelFormatError);
    expect(() => parseLatentRgb({ factors: [[1, 0], [0, 1], [0, 0], [0, 0]] }, 4, 'x.json')).toThrow(/\[r, g, b\] x 4/);
    expect(parseLatentRgb({ factors: [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]] }, 4, 'x.json').bias).toEqual([0, 0, 0]);
  });
});
