// interpolate() against torch.nn.functional.interpolate(align_corners=False) on [[1, 2], [3, 4]] scaled ×2: the
// bilinear result is PyTorch's documented example; the bicubic one follows from Keys' kernel (a = -0.75) with
// replicated borders, worked by hand for the corner (0.68359375) and the rest by the same sums.
import { describe, expect, it } from 'vitest';
import { interpolate } from './interpolate';

const square = { data: Float32Array.from([1, 2, 3, 4]), dims: [1, 1, 2, 2] };
const rows = (t: { data: Float32Array; dims: number[] }) => {
  const w = t.dims[3];
  return Array.from({ length: t.dims[2] }, (_, y) => Array.from(t.data.slice(y * w, (y + 1) * w)));
};

describe('interpolate', () => {
  it('nearest: the source pixel whose centre is nearest (ComfyUI "nearest-exact")', () => {
    expect(rows(interpolate(square, 4, 4, 'nearest'))).toEqual([[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]);
    // Down by 2 picks every second pixel starting at the first centre past 0.5.
    const ramp = { data: Float32Array.from({ length: 16 }, (_, i) => i), dims: [1, 1, 4, 4] };
    expect(rows(interpolate(ramp, 2, 2, 'nearest'))).toEqual([[5, 7], [13, 15]]);
  });

  it('bilinear ×2 as torch computes it', () => {
    expect(rows(interpolate(square, 4, 4, 'bilinear'))).toEqual([
      [1, 1.25, 1.75, 2], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5], [3, 3.25, 3.75, 4],
    ]);
  });

  it('bicubic ×2 as torch computes it (overshoot at the edges included)', () => {
    const got = rows(interpolate(square, 4, 4, 'bicubic'));
    const want = [
      [0.68359375, 1.015625, 1.5625, 1.89453125],
      [1.34765625, 1.6796875, 2.2265625, 2.55859375],
      [2.44140625, 2.7734375, 3.3203125, 3.65234375],
      [3.10546875, 3.4375, 3.984375, 4.31640625],
    ];
    got.forEach((r, y) => r.forEach((v, x) => expect(v).toBeCloseTo(want[y][x], 6)));
  });

  it('keeps batch and channels apart and goes to any size', () => {
    const two = { data: Float32Array.from([1, 2, 3, 4, 10, 20, 30, 40]), dims: [2, 1, 2, 2] };
    const out = interpolate(two, 3, 5, 'bilinear');
    expect(out.dims).toEqual([2, 1, 3, 5]);
    // Plane 2 is plane 1 times ten, exactly: no value leaks across planes.
    for (let i = 0; i < 15; i++) expect(out.data[15 + i]).toBeCloseTo(out.data[i] * 10, 4);
    // A constant stays constant whatever the kernel (weights sum to one).
    const flat = { data: new Float32Array(9).fill(0.5), dims: [1, 1, 3, 3] };
    for (const m of ['nearest', 'bilinear', 'bicubic'] as const) expect(new Set(interpolate(flat, 7, 4, m).data)).toEqual(new Set([0.5]));
  });
});
