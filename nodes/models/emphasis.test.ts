import { describe, expect, it } from 'vitest';
import { applyEmphasis } from './emphasis';

describe('emphasis', () => {
  it('scales each token state away from the empty prompt state at the same position', () => {
    // 2 windows of 2 tokens, dim 2
    const z = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const empty = Float32Array.from([1, 1, 0, 0]);
    const out = applyEmphasis(z, empty, [1, 2, 0.5, 1], 2);
    // token 1 (window 0, pos 1): 0 + (3, 4) * 2; token 2 (window 1, pos 0): (1, 1) + (4, 5) * 0.5
    expect(Array.from(out)).toEqual([1, 2, 6, 8, 3, 3.5, 7, 8]);
  });

  it('refuses weights that do not cover the hidden states', () => {
    expect(() => applyEmphasis(new Float32Array(8), new Float32Array(4), [1, 1, 1], 2)).toThrow(RangeError);
  });
});
