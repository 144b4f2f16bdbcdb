import { describe, expect, it } from 'vitest';
import { align, distribute } from './align';

// Three nodes of different sizes; the selection spans x 100..700, y 50..430.
const boxes = [
  { id: 'a', x: 100, y: 80, width: 200, height: 100 },
  { id: 'b', x: 420, y: 50, width: 280, height: 160 },
  { id: 'c', x: 260, y: 300, width: 120, height: 130 },
];
const at = (m: Map<string, { x: number; y: number }>) => Object.fromEntries(m);

describe('align', () => {
  it('left / right / horizontal centres: x moves, y stays', () => {
    expect(at(align(boxes, 'left'))).toEqual({ a: { x: 100, y: 80 }, b: { x: 100, y: 50 }, c: { x: 100, y: 300 } });
    expect(at(align(boxes, 'right'))).toEqual({ a: { x: 500, y: 80 }, b: { x: 420, y: 50 }, c: { x: 580, y: 300 } });
    // Centre line x = 400.
    expect(at(align(boxes, 'centerX'))).toEqual({ a: { x: 300, y: 80 }, b: { x: 260, y: 50 }, c: { x: 340, y: 300 } });
  });

  it('top / bottom / vertical centres: y moves, x stays', () => {
    expect(at(align(boxes, 'top'))).toEqual({ a: { x: 100, y: 50 }, b: { x: 420, y: 50 }, c: { x: 260, y: 50 } });
    expect(at(align(boxes, 'bottom'))).toEqual({ a: { x: 100, y: 330 }, b: { x: 420, y: 270 }, c: { x: 260, y: 300 } });
    // Centre line y = 240.
    expect(at(align(boxes, 'centerY'))).toEqual({ a: { x: 100, y: 190 }, b: { x: 420, y: 160 }, c: { x: 260, y: 175 } });
  });

  it('does nothing for fewer than two nodes', () => {
    expect(align(boxes.slice(0, 1), 'left').size).toBe(0);
  });
});

describe('distribute', () => {
  it('horizontally: first and last stay, equal gaps between, in x order whatever the selection order', () => {
    const spread = [{ ...boxes[1], x: 900 }, boxes[0], boxes[2]]; // a 100..300, c 260..380, b 900..1180
    // Span 1080, widths 600, two gaps of 240: a at 100, c at 300 + 240 = 540, b stays at 900.
    expect(at(distribute(spread, 'horizontal'))).toEqual({ a: { x: 100, y: 80 }, c: { x: 540, y: 300 }, b: { x: 900, y: 50 } });
  });

  it('vertically with fractional gaps, the last node exactly where it was', () => {
    const column = [
      { id: 'p', x: 0, y: 0, width: 100, height: 100 },
      { id: 'q', x: 40, y: 150, width: 100, height: 50 },
      { id: 'r', x: 0, y: 210, width: 100, height: 60 },
      { id: 's', x: 80, y: 400, width: 100, height: 10 },
    ];
    // Span 0..410, heights 220, three gaps of 190/3.
    const gap = 190 / 3;
    expect(at(distribute(column, 'vertical'))).toEqual({
      p: { x: 0, y: 0 }, q: { x: 40, y: 100 + gap }, r: { x: 0, y: 150 + 2 * gap }, s: { x: 80, y: 400 },
    });
  });

  it('overlapping nodes get equal negative gaps; fewer than three nodes are left alone', () => {
    const tight = [
      { id: 'a', x: 0, y: 0, width: 100, height: 10 },
      { id: 'b', x: 10, y: 0, width: 100, height: 10 },
      { id: 'c', x: 100, y: 0, width: 100, height: 10 },
    ];
    // Span 200, widths 300: gaps of -50.
    expect(at(distribute(tight, 'horizontal'))).toEqual({ a: { x: 0, y: 0 }, b: { x: 50, y: 0 }, c: { x: 100, y: 0 } });
    expect(distribute(tight.slice(0, 2), 'horizontal').size).toBe(0);
  });
});
