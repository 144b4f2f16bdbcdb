import { describe, expect, it } from 'vitest';
import { LEGIBLE_ZOOM, openingViewport } from './viewport-zoom';

// Where a node at flow point (fx, fy) lands on screen: React Flow's transform, translate(x, y) scale(zoom).
const screen = (v: { x: number; y: number; zoom: number }, fx: number, fy: number) => ({ x: v.x + fx * v.zoom, y: v.y + fy * v.zoom });

describe('openingViewport', () => {
  const canvas = { width: 900, height: 800 };

  it('centres a graph that fits at 1×, never zooming in past 1×', () => {
    const v = openingViewport({ x: 0, y: 0, width: 400, height: 200 }, canvas);
    expect(v.zoom).toBe(1);
    expect(screen(v, 0, 0)).toEqual({ x: 250, y: 300 });
    expect(screen(v, 400, 200)).toEqual({ x: 650, y: 500 });
  });

  it('fits a graph whole when that zoom is legible', () => {
    const v = openingViewport({ x: 100, y: 50, width: 1000, height: 400 }, canvas);
    expect(v.zoom).toBeCloseTo(0.82, 5); // (900 - 80) / 1000
    expect(screen(v, 100, 50).x).toBeCloseTo(40, 5);
    expect(screen(v, 1100, 50).x).toBeCloseTo(860, 5);
    expect(screen(v, 0, 250).y).toBeCloseTo(400, 5); // vertical centre
  });

  it('opens a wide graph (the txt2img template, 1640 × 636) at the legible zoom, its left part in view', () => {
    const v = openingViewport({ x: 0, y: 0, width: 1640, height: 636 }, canvas);
    expect(v.zoom).toBe(LEGIBLE_ZOOM);
    expect(screen(v, 0, 0).x).toBe(40);
    // It fits vertically at that zoom: centred that way.
    expect(screen(v, 0, 318).y).toBeCloseTo(400, 5);
  });

  it('puts the top-left corner at the margin when the graph fits neither way', () => {
    const v = openingViewport({ x: -200, y: -100, width: 5000, height: 3000 }, canvas);
    expect(v.zoom).toBe(LEGIBLE_ZOOM);
    expect(screen(v, -200, -100)).toEqual({ x: 40, y: 40 });
  });
});
