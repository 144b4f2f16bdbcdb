import { describe, expect, it } from 'vitest';
import { axisWeights, planAxis } from './tiles';

describe('planAxis', () => {
  it('covers the axis with evenly spread tiles that overlap by at least the requested context', () => {
    expect(planAxis(96, 48, 16)).toEqual({ starts: [0, 24, 48], size: 48 });
    expect(planAxis(2048, 280, 32)).toEqual({ starts: [0, 221, 442, 663, 884, 1105, 1326, 1547, 1768], size: 280 });
    for (const [length, tile, overlap] of [[97, 64, 21], [1000, 100, 32], [257, 96, 32], [65, 64, 16]]) {
      const { starts, size } = planAxis(length, tile, overlap);
      expect(starts[0]).toBe(0);
      expect(starts.at(-1)! + size).toBe(length);
      for (let i = 1; i < starts.length; i++) expect(starts[i - 1] + size - starts[i]).toBeGreaterThanOrEqual(overlap);
    }
  });

  it('uses one tile when it spans the axis and refuses overlaps above a third of the tile', () => {
    expect(planAxis(40, 64, 32)).toEqual({ starts: [0], size: 40 });
    expect(() => planAxis(100, 60, 21)).toThrow(/at most a third/);
  });
});

describe('axisWeights', () => {
  const cases = [[96, 48, 16, 4], [97, 64, 21, 2], [1000, 100, 32, 1], [257, 96, 32, 3], [2048, 280, 32, 4]];

  it('sums to exactly 1 at every output pixel (partition of unity over the tiles)', () => {
    for (const [length, tile, overlap, scale] of cases) {
      const plan = planAxis(length, tile, overlap);
      const sum = new Float64Array(length * scale);
      plan.starts.forEach((start, i) => axisWeights(plan, i, scale, overlap, overlap / 4).forEach((w, k) => (sum[start * scale + k] += w)));
      for (const v of sum) expect(v).toBeCloseTo(1, 6);
    }
  });

  it('gives a tile no weight within `margin` input pixels of its own cut edges and full weight away from seams', () => {
    const plan = planAxis(96, 48, 16); // tiles [0,48) [24,72) [48,96): bands centred at 36 and 60
    const w = axisWeights(plan, 1, 2, 16, 4);
    const at = (x: number) => w[(x - 24) * 2]; // output pixel at input coordinate x (+0.25)
    expect(at(24)).toBe(0);
    expect(at(31)).toBe(0); // band 28..44, margin 4: zero up to 32
    expect(at(36)).toBeCloseTo(0.5 - 0.5 * Math.cos(Math.PI * (36.25 - 32) / 8), 6);
    expect(at(48)).toBe(1);
    expect(at(64)).toBe(0);
    expect(at(71)).toBe(0);
    // The first tile starts at the image edge: nothing to blend there.
    expect(axisWeights(plan, 0, 2, 16, 4)[0]).toBe(1);
  });
});
