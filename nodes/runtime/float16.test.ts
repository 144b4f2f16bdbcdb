import { describe, expect, it } from 'vitest';
import {
  bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16, fromHalfBits, toHalfBits,
} from './float16';

describe('float32 -> half bits', () => {
  it.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [2 ** -24, 0x0001],
    [2 ** -14, 0x0400], // smallest normal
    [0.5, 0x3800],
    [0.1, 0x2e66],
    [1 / 3, 0x3555],
    [0, 0x0000],
    [-0, 0x8000],
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
    [1e6, 0x7c00], // overflow
    [-1e-10, 0x8000], // underflow keeps the sign
  ])('%d -> %s', (value, bits) => {
    expect(toHalfBits(value)).toBe(bits);
  });

  it('rounds ties to even and everything else to nearest', () => {
    const ulp = 2 ** -10;
    expect(toHalfBits(1 + ulp / 2)).toBe(0x3c00); // tie, 0x3c00 is even
    expect(toHalfBits(1 + ulp + ulp / 2)).toBe(0x3c02); // tie, rounds up to even
    expect(toHalfBits(1 + ulp / 2 + 2 ** -20)).toBe(0x3c01); // just above the tie
    expect(toHalfBits(65519)).toBe(0x7bff); // below the overflow tie
    expect(toHalfBits(65520)).toBe(0x7c00); // tie at the top rounds to infinity
    expect(toHalfBits(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest subnormal
    expect(toHalfBits(1.5 * 2 ** -24)).toBe(0x0002); // subnormal tie rounds to even
    expect(toHalfBits(2 ** -25 + 2 ** -40)).toBe(0x0001);
    expect(toHalfBits(2 ** -14 - 2 ** -26)).toBe(0x0400); // subnormal carries into the smallest normal
  });

  it('keeps NaN a NaN', () => {
    const bits = toHalfBits(NaN);
    expect(bits & 0x7c00).toBe(0x7c00);
    expect(bits & 0x3ff).not.toBe(0);
  });
});

describe('half bits -> float32', () => {
  it.each([
    [0x3c00, 1],
    [0xc000, -2],
    [0x7bff, 65504],
    [0x0001, 2 ** -24],
    [0x03ff, 1023 * 2 ** -24],
    [0x3555, 0.333251953125],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ])('%s -> %d', (bits, value) => {
    expect(fromHalfBits(bits)).toBe(value);
  });

  it('decodes NaN and negative zero', () => {
    expect(fromHalfBits(0x7e00)).toBeNaN();
    expect(Object.is(fromHalfBits(0x8000), -0)).toBe(true);
  });

  it('round-trips every finite half exactly through float32', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const back = float32ToFloat16(float16ToFloat32(all));
    for (let h = 0; h < 65536; h++) {
      const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (!isNaN && back[h] !== h) throw new Error(`0x${h.toString(16)} came back as 0x${back[h].toString(16)}`);
    }
  });
});

describe('bfloat16', () => {
  it('widens by shifting', () => {
    const f = bfloat16ToFloat32(new Uint16Array([0x3f80, 0xc000, 0x4049, 0x7f80]));
    expect(Array.from(f)).toEqual([1, -2, 3.140625, Infinity]);
  });

  it('narrows with round-to-nearest-even', () => {
    // 1 + 2^-8 is the tie between 0x3f80 and 0x3f81: even wins.
    expect(Array.from(float32ToBfloat16([1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.14159]))).toEqual([0x3f80, 0x3f80, 0x3f82, 0x4049]);
    const nan = float32ToBfloat16([NaN])[0];
    expect(Number.isNaN(bfloat16ToFloat32(new Uint16Array([nan]))[0])).toBe(true);
  });
});
