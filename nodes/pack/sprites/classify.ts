// Reads a rendered sprite back: which shape, colour and background an image shows, and how far its
// pixels are from the ideal sprite. Pixel tests use it to assert "red circle on blue background".
import { COLOR_NAMES, COLORS, GRID, type ColorName } from './palette';
import { SHAPES, SIZE_NAMES, shapeMask, type ShapeName, type SpriteSize } from './shapes';

export interface SpriteClass {
  /** Best-matching shape template, null when no cell differs from the background. */
  shape: ShapeName | null;
  size: SpriteSize | null;
  /** Most common palette colour inside the shape, null without a shape. */
  color: ColorName | null;
  /** Most common palette colour on the border cells. */
  background: ColorName;
  /** Intersection over union of the image's shape cells with the template's (1 = the exact mask). */
  iou: number;
  /** Cells whose colour differs from the ideal sprite of this classification. */
  wrongCells: number;
  /** Largest per-channel deviation (0-255) of any pixel from the ideal sprite; Infinity without a shape. */
  maxError: number;
  /** Mean absolute per-channel deviation (0-255) from the ideal sprite; Infinity without a shape. */
  meanError: number;
}

function nearestColor(r: number, g: number, b: number): ColorName {
  let best: ColorName = COLOR_NAMES[0], bestD = Infinity;
  for (const name of COLOR_NAMES) {
    const [cr, cg, cb] = COLORS[name];
    const d = (r - cr) ** 2 + (g - cg) ** 2 + (b - cb) ** 2;
    if (d < bestD) [best, bestD] = [name, d];
  }
  return best;
}

function mostCommon<T>(items: readonly T[]): T | null {
  const counts = new Map<T, number>();
  let best: T | null = null, bestN = 0;
  for (const it of items) {
    const n = (counts.get(it) ?? 0) + 1;
    counts.set(it, n);
    if (n > bestN) [best, bestN] = [it, n];
  }
  return best;
}

/**
 * Classifies an 8-bit HWC image (RGB or RGBA, values 0-255) of any size that is a whole number of
 * pixels per cell (256x256, or an upscaled 512x512...). Each cell's colour is the mean of its inner
 * half, snapped to the nearest palette colour, so upscaler edge ringing does not matter.
 */
export function classifySprite(pixels: ArrayLike<number>, width: number, height: number, channels = 3): SpriteClass {
  if (width % GRID || height % GRID || pixels.length !== width * height * channels || channels < 3) {
    throw new RangeError(`classifySprite needs a ${GRID}-cell grid image (width and height multiples of ${GRID}) with ` +
      `width*height*channels values; got ${width}x${height}x${channels} and ${pixels.length} values`);
  }
  const cw = width / GRID, ch = height / GRID;
  const cells: ColorName[] = [];
  for (let cy = 0; cy < GRID; cy++) {
    for (let cx = 0; cx < GRID; cx++) {
      const sum = [0, 0, 0];
      let n = 0;
      for (let y = cy * ch + Math.floor(ch / 4); y < (cy + 1) * ch - Math.floor(ch / 4); y++) {
        for (let x = cx * cw + Math.floor(cw / 4); x < (cx + 1) * cw - Math.floor(cw / 4); x++) {
          const o = (y * width + x) * channels;
          for (let k = 0; k < 3; k++) sum[k] += pixels[o + k];
          n++;
        }
      }
      cells.push(nearestColor(sum[0] / n, sum[1] / n, sum[2] / n));
    }
  }
  const border = cells.filter((_, i) => i < GRID || i >= GRID * (GRID - 1) || i % GRID === 0 || i % GRID === GRID - 1);
  const background = mostCommon(border)!;
  const inShape = cells.map((c) => c !== background);
  const color = mostCommon(cells.filter((_, i) => inShape[i]));
  if (!color) return { shape: null, size: null, color: null, background, iou: 0, wrongCells: inShape.length, maxError: Infinity, meanError: Infinity };

  let best = { shape: SHAPES[0] as ShapeName, size: SIZE_NAMES[0] as SpriteSize, iou: -1 };
  for (const shape of SHAPES) {
    for (const size of SIZE_NAMES) {
      const mask = shapeMask(shape, size);
      let inter = 0, union = 0;
      for (let i = 0; i < mask.length; i++) {
        if (mask[i] && inShape[i]) inter++;
        if (mask[i] || inShape[i]) union++;
      }
      if (inter / union > best.iou) best = { shape, size, iou: inter / union };
    }
  }
  const mask = shapeMask(best.shape, best.size);
  let wrongCells = 0, maxError = 0, sumError = 0;
  for (let i = 0; i < mask.length; i++) {
    const ideal = COLORS[mask[i] ? color : background];
    if (cells[i] !== (mask[i] ? color : background)) wrongCells++;
    const cy = Math.floor(i / GRID), cx = i % GRID;
    for (let y = cy * ch; y < (cy + 1) * ch; y++) {
      for (let x = cx * cw; x < (cx + 1) * cw; x++) {
        const o = (y * width + x) * channels;
        for (let k = 0; k < 3; k++) {
          const err = Math.abs(pixels[o + k] - ideal[k]);
          sumError += err;
          if (err > maxError) maxError = err;
        }
      }
    }
  }
  return { ...best, color, background, wrongCells, maxError, meanError: sumError / (width * height * 3) };
}
