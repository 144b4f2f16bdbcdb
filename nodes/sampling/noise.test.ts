import { describe, expect, it } from 'vitest';
import { createNoise, NoiseSeedError } from './noise';

const close = (actual: Float32Array, expected: number[], digits = 4) => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, digits));
};

describe('torch-compatible noise (CPU torch.manual_seed + torch.randn)', () => {
  it('scalar path (< 16 values): torch.manual_seed(0); torch.randn(5)', () => {
    close(createNoise(0, 'torch').randn(5), [1.541, -0.2934, -2.1788, 0.5684, -1.0845]);
  });

  it('scalar path: torch.manual_seed(42); torch.randn(2, 3) (sprintchase.com torch.randn guide)', () => {
    close(createNoise(42, 'torch').randn(6), [0.3367, 0.1288, 0.2345, 0.2303, -1.1229, -0.1863]);
  });

  it('keeps the cached second Box-Muller value across calls, like the torch generator', () => {
    const g = createNoise(0, 'torch');
    close(Float32Array.from([...g.randn(3), ...g.randn(2)]), [1.541, -0.2934, -2.1788, 0.5684, -1.0845]);
  });

  // kornia CenterCrop docstring: torch.manual_seed(0); torch.randn(1, 1, 4, 4)
  const first16 = [
    -1.1258, -1.1524, -0.2506, -0.4339, 0.8487, 0.692, -0.316, -2.1152,
    0.3223, -1.2633, 0.35, 0.3081, 0.1198, 1.2377, 1.1168, -0.2473,
  ];

  it('vectorised path (exactly 16 values): torch.randn(4, 4) with seed 0', () => {
    close(createNoise(0, 'torch').randn(16), first16);
  });

  it('vectorised path with a tail (40 values, last 16 redrawn): torch.randn(10, 4) with seed 0', () => {
    // Published in a matrix-calculus note that prints X = torch.randn(10, 4) after torch.manual_seed(0).
    close(createNoise(0, 'torch').randn(40), [
      ...first16,
      -1.3527, -1.6959, 0.5667, 0.7935, 0.5988, -1.5551, -0.3414, 1.853,
      -0.2159, -0.7425, 0.5627, 0.2596, -0.174, -0.6787, 0.9383, 0.4889,
      1.2032, 0.0845, -1.2001, -0.0048, -0.5181, -0.3067, -1.581, 1.7066,
    ]);
  });

  it('continues the stream on the next call: a second torch.randn(4, 4)', () => {
    const g = createNoise(0, 'torch');
    g.randn(16);
    close(g.randn(16), [
      -1.3527, -1.6959, 0.5667, 0.7935, 0.5988, -1.5551, -0.3414, 1.853,
      0.7502, -0.5855, -0.1734, 0.1835, 1.3894, 1.5863, 0.9463, -0.8437,
    ]);
  });
});

describe('stepflow default noise', () => {
  it('is deterministic per seed and differs between seeds', () => {
    expect(createNoise(1234).randn(64)).toEqual(createNoise(1234).randn(64));
    expect(createNoise(1234).randn(64)).not.toEqual(createNoise(1235).randn(64));
    expect(createNoise(2 ** 40).randn(8)).not.toEqual(createNoise(2 ** 40 + 2 ** 32).randn(8));
  });

  it('continues its stream across calls', () => {
    const g = createNoise(7);
    const a = g.randn(32);
    const b = g.randn(32);
    expect(a).not.toEqual(b);
    const again = createNoise(7);
    again.randn(32);
    expect(again.randn(32)).toEqual(b);
  });

  it('has standard normal moments', () => {
    const x = createNoise(99).randn(200_000);
    let m = 0, m2 = 0, m4 = 0, within1 = 0;
    for (const v of x) {
      m += v;
      m2 += v * v;
      m4 += v ** 4;
      if (Math.abs(v) < 1) within1++;
    }
    const n = x.length;
    expect(m / n).toBeCloseTo(0, 2);
    expect(m2 / n).toBeCloseTo(1, 1);
    expect(m4 / n).toBeGreaterThan(2.9); // Gaussian kurtosis is 3
    expect(m4 / n).toBeLessThan(3.1);
    expect(within1 / n).toBeCloseTo(0.6827, 2);
  });

  it('rejects seeds that are not safe integers', () => {
    expect(() => createNoise(1.5)).toThrow(NoiseSeedError);
    expect(() => createNoise(Number.NaN, 'torch')).toThrow(/finite integer/);
  });
});
