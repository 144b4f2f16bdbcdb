import { describe, expect, it } from 'vitest';
import type { Tensor } from './tensor';
import { cropTensor, transformTensor } from './tensor-geometry';

/** 1 batch, 1 channel, 2 rows × 3 columns:  1 2 3 / 4 5 6 */
const grid = (): Tensor => ({ data: new Float32Array([1, 2, 3, 4, 5, 6]), dims: [1, 1, 2, 3] });
const rows = (t: Tensor) => {
  const [, , h, w] = t.dims;
  return Array.from({ length: h }, (_, y) => [...t.data.subarray(y * w, y * w + w)]);
};

describe('tensor geometry', () => {
  it('crops a rectangle of every plane', () => {
    expect(rows(cropTensor(grid(), 1, 0, 2, 2))).toEqual([[2, 3], [5, 6]]);
    const two = { data: new Float32Array([1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60]), dims: [1, 2, 2, 3] };
    const c = cropTensor(two, 0, 1, 2, 1);
    expect([c.dims, [...c.data]]).toEqual([[1, 2, 1, 2], [4, 5, 40, 50]]);
  });

  it('flips and turns clockwise', () => {
    expect(rows(transformTensor(grid(), 'flip_horizontal'))).toEqual([[3, 2, 1], [6, 5, 4]]);
    expect(rows(transformTensor(grid(), 'flip_vertical'))).toEqual([[4, 5, 6], [1, 2, 3]]);
    expect(rows(transformTensor(grid(), 'rotate_180'))).toEqual([[6, 5, 4], [3, 2, 1]]);
    expect(rows(transformTensor(grid(), 'rotate_90'))).toEqual([[4, 1], [5, 2], [6, 3]]);
    expect(rows(transformTensor(grid(), 'rotate_270'))).toEqual([[3, 6], [2, 5], [1, 4]]);
    // Four quarter turns are the identity.
    let t = grid();
    for (let i = 0; i < 4; i++) t = transformTensor(t, 'rotate_90');
    expect(rows(t)).toEqual(rows(grid()));
  });
});
