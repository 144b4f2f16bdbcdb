// Align and distribute the selected nodes (pure): new top-left positions from the nodes' boxes.
import type { Box, XY } from './geometry';

export type AlignEdge = 'left' | 'centerX' | 'right' | 'top' | 'centerY' | 'bottom';
export type DistributeAxis = 'horizontal' | 'vertical';

type IdBox = Box & { id: string };

/**
 * Lines the boxes up on one edge of the selection's bounding box (left: every left side on the leftmost one), or on
 * its centre line (centerX: every horizontal centre on the selection's). The other coordinate stays.
 */
export function align(boxes: readonly IdBox[], edge: AlignEdge): Map<string, XY> {
  const out = new Map<string, XY>();
  if (boxes.length < 2) return out;
  const left = Math.min(...boxes.map((b) => b.x));
  const right = Math.max(...boxes.map((b) => b.x + b.width));
  const top = Math.min(...boxes.map((b) => b.y));
  const bottom = Math.max(...boxes.map((b) => b.y + b.height));
  for (const b of boxes) {
    const x = edge === 'left' ? left
      : edge === 'right' ? right - b.width
        : edge === 'centerX' ? (left + right) / 2 - b.width / 2
          : b.x;
    const y = edge === 'top' ? top
      : edge === 'bottom' ? bottom - b.height
        : edge === 'centerY' ? (top + bottom) / 2 - b.height / 2
          : b.y;
    out.set(b.id, { x, y });
  }
  return out;
}

/**
 * Equal gaps between neighbours along one axis: the first and last box (by position) stay, the ones between are
 * spaced so every gap is the same (negative when they cannot fit without overlapping). Needs three boxes.
 */
export function distribute(boxes: readonly IdBox[], axis: DistributeAxis): Map<string, XY> {
  const out = new Map<string, XY>();
  if (boxes.length < 3) return out;
  const pos = (b: Box) => (axis === 'horizontal' ? b.x : b.y);
  const size = (b: Box) => (axis === 'horizontal' ? b.width : b.height);
  // Ties keep the selection's order (Array.prototype.sort is stable), so the result does not depend on chance.
  const sorted = [...boxes].sort((a, b) => pos(a) - pos(b));
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  const span = pos(last) + size(last) - pos(first);
  const gap = (span - sorted.reduce((s, b) => s + size(b), 0)) / (sorted.length - 1);
  let at = pos(first);
  for (const b of sorted) {
    out.set(b.id, axis === 'horizontal' ? { x: at, y: b.y } : { x: b.x, y: at });
    at += size(b) + gap;
  }
  // The last box keeps its exact place (no drift from adding up fractional gaps).
  out.set(last.id, { x: last.x, y: last.y });
  return out;
}
