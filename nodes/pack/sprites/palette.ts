// The sprite domain's vocabulary: the colour palette (exact 8-bit RGB), which colours shapes and
// backgrounds use, and the grid the sprites are drawn on. Every name here is one CLIP token.

/** 32x32 cells of 8x8 pixels: one latent cell per 8x8 block, so every cell decodes to a flat block. */
export const GRID = 32;
export const CELL = 8;
export const IMAGE_SIZE = GRID * CELL;

export type Rgb = readonly [number, number, number];

export const COLORS = {
  red: [220, 40, 40],
  orange: [245, 140, 30],
  yellow: [250, 220, 50],
  green: [60, 180, 75],
  blue: [50, 100, 230],
  purple: [140, 60, 200],
  pink: [245, 130, 190],
  white: [245, 245, 245],
  black: [20, 20, 24],
  gray: [128, 128, 128],
  navy: [20, 30, 90],
  brown: [120, 70, 30],
} as const satisfies Record<string, Rgb>;

export type ColorName = keyof typeof COLORS;
/** Palette order: the index of a colour in the text encoder's colour slots. */
export const COLOR_NAMES = Object.keys(COLORS) as ColorName[];

export const SHAPE_COLORS = ['red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'white'] as const satisfies readonly ColorName[];
/** Red, green and blue also serve as backgrounds so colour/background swaps are expressible. */
export const BACKGROUNDS = ['black', 'gray', 'navy', 'brown', 'red', 'blue', 'green'] as const satisfies readonly ColorName[];

export type ShapeColorName = (typeof SHAPE_COLORS)[number];
export type BackgroundName = (typeof BACKGROUNDS)[number];

/** Words that mean the same colour as a palette entry. */
export const COLOR_SYNONYMS: Readonly<Record<string, ColorName>> = { grey: 'gray' };

export function rgbOf(color: ColorName): Rgb {
  return COLORS[color];
}
