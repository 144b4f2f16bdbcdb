// The sprite set, its masks and the classifier pixel tests rely on.
import { describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../text';
import {
  BACKGROUNDS, classifySprite, COLORS, findSprites, GRID, renderSprite, SHAPE_COLORS, SHAPES, shapeMask, SIZE_NAMES, SPRITE_SIZES, SPRITES,
} from './sprites';

const area = (m: Uint8Array) => m.reduce((a, v) => a + v, 0);

describe('sprite set', () => {
  it('holds every shape x colour x background x size except shapes on their own colour', () => {
    const sameColour = SHAPE_COLORS.filter((c) => (BACKGROUNDS as readonly string[]).includes(c)).length;
    expect(sameColour).toBe(3);
    expect(SPRITES.length).toBe(SHAPES.length * (SHAPE_COLORS.length * BACKGROUNDS.length - sameColour) * SIZE_NAMES.length);
    expect(SPRITES.every((s, i) => s.index === i && (s.color as string) !== s.background)).toBe(true);
    expect(new Set(SPRITES.map((s) => `${s.caption}/${s.size}`)).size).toBe(SPRITES.length);
    expect(findSprites({ shape: 'circle', color: 'red', background: 'blue' }).map((s) => [s.caption, s.size])).toEqual([
      ['red circle on blue background', 'large'], ['red circle on blue background', 'small'],
    ]);
  });

  it('names every shape and colour with one CLIP token', () => {
    const tok = ClipTokenizer.fromOpenAiGz();
    for (const w of [...SHAPES, ...Object.keys(COLORS), 'background', 'on']) expect(tok.encode(w), w).toHaveLength(1);
  });

  it('draws distinct, centred masks that keep the border free', () => {
    for (const size of SIZE_NAMES) {
      const r = SPRITE_SIZES[size];
      const circle = shapeMask('circle', size);
      expect(area(circle) / (Math.PI * r * r)).toBeGreaterThan(0.95);
      expect(area(circle) / (Math.PI * r * r)).toBeLessThan(1.05);
      for (const shape of SHAPES) {
        const m = shapeMask(shape, size);
        expect(area(m), shape).toBeGreaterThan(r * r);
        for (let i = 0; i < GRID; i++) {
          expect(m[i] + m[(GRID - 1) * GRID + i] + m[i * GRID] + m[i * GRID + GRID - 1], `${shape} touches the border`).toBe(0);
        }
        // left-right mirror symmetric
        for (let y = 0; y < GRID; y++) for (let x = 0; x < GRID; x++) expect(m[y * GRID + x]).toBe(m[y * GRID + GRID - 1 - x]);
      }
      for (const a of SHAPES) {
        for (const b of SHAPES) {
          if (a === b) continue;
          const ma = shapeMask(a, size), mb = shapeMask(b, size);
          const inter = ma.reduce((n, v, i) => n + (v & mb[i]), 0);
          expect(inter / (area(ma) + area(mb) - inter), `${a} vs ${b}`).toBeLessThan(0.85);
        }
      }
    }
  });
});

describe('classifySprite', () => {
  it('reads rendered sprites back exactly (every 5th sprite: all shapes, sizes, colours and backgrounds)', () => {
    const sample = SPRITES.filter((s) => s.index % 5 === 0);
    for (const key of ['shape', 'size', 'color', 'background'] as const) {
      expect(new Set(sample.map((s) => s[key])).size).toBe(new Set(SPRITES.map((s) => s[key])).size);
    }
    for (const s of sample) {
      const c = classifySprite(renderSprite(s), 256, 256);
      expect(c, s.caption).toEqual({ shape: s.shape, size: s.size, color: s.color, background: s.background, iou: 1, wrongCells: 0, maxError: 0, meanError: 0 });
    }
  });

  it('copes with noise, 2x upscaling and RGBA', () => {
    const s = findSprites({ shape: 'star', color: 'orange', background: 'navy', size: 'small' })[0];
    const img = renderSprite(s);
    let seed = 3;
    const noisy = img.map((v) => Math.min(255, Math.max(0, v + (((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 21) - 10))));
    const n = classifySprite(noisy, 256, 256);
    expect(n).toMatchObject({ shape: 'star', color: 'orange', background: 'navy', size: 'small', wrongCells: 0 });
    expect(n.maxError).toBeLessThanOrEqual(10);
    expect(n.maxError).toBeGreaterThan(0);
    const big = new Uint8Array(512 * 512 * 4);
    for (let y = 0; y < 512; y++) {
      for (let x = 0; x < 512; x++) {
        big.set(img.subarray(((y >> 1) * 256 + (x >> 1)) * 3, ((y >> 1) * 256 + (x >> 1)) * 3 + 3), (y * 512 + x) * 4);
        big[(y * 512 + x) * 4 + 3] = 255;
      }
    }
    expect(classifySprite(big, 512, 512, 4)).toMatchObject({ shape: 'star', color: 'orange', background: 'navy', wrongCells: 0, maxError: 0 });
  });

  it('tells a plain background and refuses images off the grid', () => {
    const plain = new Uint8Array(256 * 256 * 3);
    for (let p = 0; p < 256 * 256; p++) plain.set(COLORS.gray, p * 3);
    expect(classifySprite(plain, 256, 256)).toMatchObject({ shape: null, color: null, background: 'gray' });
    expect(() => classifySprite(new Uint8Array(100 * 100 * 3), 100, 100)).toThrow(/32-cell grid/);
  });
});
