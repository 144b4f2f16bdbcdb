// Shape masks on the 32x32 cell grid: which cells of a sprite carry the shape colour. Tested at
// cell centres, so every mask is exact pixel art (no anti-aliasing) and the same on every machine.
import { GRID } from './palette';

export const SHAPES = ['circle', 'square', 'triangle', 'star', 'heart', 'diamond'] as const;
export type ShapeName = (typeof SHAPES)[number];

/** Sprite sizes: the shape's radius in cells. Two sizes give seeds a choice among matching sprites. */
export const SPRITE_SIZES = { large: 11, small: 7 } as const;
export type SpriteSize = keyof typeof SPRITE_SIZES;
export const SIZE_NAMES = Object.keys(SPRITE_SIZES) as SpriteSize[];

// Unit 5-point star, tip up (y grows downward), alternating outer and inner (0.5) radii; literal
// coordinates rather than cos/sin so the masks never depend on a libm.
const STAR: readonly (readonly [number, number])[] = [
  [0, -1], [0.293893, -0.404508], [0.951057, -0.309017], [0.475528, 0.154508], [0.587785, 0.809017],
  [0, 0.5], [-0.587785, 0.809017], [-0.475528, 0.154508], [-0.951057, -0.309017], [-0.293893, -0.404508],
];

function insidePolygon(x: number, y: number, poly: readonly (readonly [number, number])[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i], [xj, yj] = poly[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Is the point (dx, dy) (cells from the grid centre, y down) inside `shape` of radius r? */
function inside(shape: ShapeName, dx: number, dy: number, r: number): boolean {
  switch (shape) {
    case 'circle':
      return dx * dx + dy * dy <= r * r;
    case 'square':
      return Math.max(Math.abs(dx), Math.abs(dy)) <= 0.8 * r;
    case 'diamond':
      return Math.abs(dx) + Math.abs(dy) <= 1.15 * r;
    case 'triangle': {
      const top = -r, bottom = 0.8 * r;
      return dy >= top && dy <= bottom && Math.abs(dx) <= (1.05 * r * (dy - top)) / (bottom - top);
    }
    case 'star':
      return insidePolygon(dx / (1.3 * r), (dy - 0.15 * r) / (1.3 * r), STAR);
    case 'heart': {
      // (x² + y² - 1)³ - x² y³ <= 0 with y up: the classic implicit heart, about 2.3 units wide.
      const x = dx / (0.9 * r), y = -dy / (0.9 * r) + 0.15;
      const q = x * x + y * y - 1;
      return q * q * q - x * x * y * y * y <= 0;
    }
  }
}

const cache = new Map<string, Uint8Array>();

/** 1 where the shape covers a cell: GRID*GRID values, row-major. */
export function shapeMask(shape: ShapeName, size: SpriteSize): Uint8Array {
  const key = `${shape}/${size}`;
  let mask = cache.get(key);
  if (!mask) {
    mask = new Uint8Array(GRID * GRID);
    const c = GRID / 2;
    for (let y = 0; y < GRID; y++) {
      for (let x = 0; x < GRID; x++) mask[y * GRID + x] = inside(shape, x + 0.5 - c, y + 0.5 - c, SPRITE_SIZES[size]) ? 1 : 0;
    }
    cache.set(key, mask);
  }
  return mask;
}
