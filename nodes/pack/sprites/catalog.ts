// The sprite set: every (shape, colour, background, size) with its caption, and its pixels.
import { BACKGROUNDS, CELL, COLORS, GRID, IMAGE_SIZE, SHAPE_COLORS, type BackgroundName, type ColorName, type ShapeColorName } from './palette';
import { SHAPES, SIZE_NAMES, shapeMask, type ShapeName, type SpriteSize } from './shapes';

export interface Sprite {
  /** Position in SPRITES: the row of the sprite's latent in the U-Net's dictionary. */
  index: number;
  shape: ShapeName;
  color: ShapeColorName;
  background: BackgroundName;
  size: SpriteSize;
  /** "<colour> <shape> on <background> background" */
  caption: string;
}

/** A shape on a background of its own colour would be invisible: those pairs are left out. */
function buildSprites(): Sprite[] {
  const out: Sprite[] = [];
  for (const shape of SHAPES) {
    for (const color of SHAPE_COLORS) {
      for (const background of BACKGROUNDS) {
        if ((background as ColorName) === color) continue;
        for (const size of SIZE_NAMES) {
          out.push({ index: out.length, shape, color, background, size, caption: `${color} ${shape} on ${background} background` });
        }
      }
    }
  }
  return out;
}

export const SPRITES: readonly Sprite[] = Object.freeze(buildSprites());

/** RGB per cell (GRID*GRID*3, row-major HWC): the sprite at latent resolution. */
export function spriteCells(s: Pick<Sprite, 'shape' | 'color' | 'background' | 'size'>): Uint8Array {
  const mask = shapeMask(s.shape, s.size);
  const fg = COLORS[s.color], bg = COLORS[s.background];
  const out = new Uint8Array(GRID * GRID * 3);
  for (let i = 0; i < GRID * GRID; i++) out.set(mask[i] ? fg : bg, i * 3);
  return out;
}

/** The 256x256 RGB image (HWC, 8-bit): every cell a flat 8x8 block. */
export function renderSprite(s: Pick<Sprite, 'shape' | 'color' | 'background' | 'size'>): Uint8Array {
  const cells = spriteCells(s);
  const out = new Uint8Array(IMAGE_SIZE * IMAGE_SIZE * 3);
  for (let y = 0, o = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++, o += 3) {
      const c = (Math.floor(y / CELL) * GRID + Math.floor(x / CELL)) * 3;
      out[o] = cells[c];
      out[o + 1] = cells[c + 1];
      out[o + 2] = cells[c + 2];
    }
  }
  return out;
}

/** Sprites matching every given attribute (the prompt's "matches"). */
export function findSprites(q: Partial<Pick<Sprite, 'shape' | 'color' | 'background' | 'size'>>): Sprite[] {
  return SPRITES.filter((s) => (!q.shape || s.shape === q.shape) && (!q.color || s.color === q.color)
    && (!q.background || s.background === q.background) && (!q.size || s.size === q.size));
}
