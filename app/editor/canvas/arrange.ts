// "Arrange" (canvas menu): nodes in columns by their depth in the data flow (the longest path from a node nothing
// feeds), each column stacked in the order its nodes already had, spaced by their measured sizes so none overlap.
// Pinned nodes keep their place: they count for the depths, but the others are stacked around them (a node that
// would overlap one goes below it). Pure: positions only; the caller moves the nodes (one undo step).
import type { XYPosition } from '@xyflow/react';
import type { GraphEdge } from '../../../nodes/engine/graph';
import { topologicalOrder } from '../../../nodes/engine/order';

export interface ArrangedNode {
  id: string;
  position: XYPosition;
  width: number;
  height: number;
  /** The node's `pinned` field: it is not moved, and nothing is placed over it. */
  pinned?: boolean;
}

export const ARRANGE_GAP = { x: 80, y: 40 };

/**
 * New top-left corners of the nodes that move, keyed by node id (pinned nodes are never in it); the arrangement
 * starts where the moving nodes' bounding box did.
 */
export function arrangeLayers(nodes: readonly ArrangedNode[], edges: readonly GraphEdge[], gap = ARRANGE_GAP): Map<string, XYPosition> {
  const moving = nodes.filter((n) => !n.pinned);
  if (!moving.length) return new Map();
  const graph = { nodes: nodes.map((n) => ({ id: n.id })), edges: [...edges] };
  const { order, cyclic } = topologicalOrder(graph as Parameters<typeof topologicalOrder>[0]);
  const parents = new Map<string, string[]>();
  for (const e of edges) parents.set(e.to.node, [...(parents.get(e.to.node) ?? []), e.from.node]);
  const depth = new Map<string, number>();
  for (const id of order) depth.set(id, Math.max(-1, ...(parents.get(id) ?? []).map((p) => depth.get(p) ?? -1)) + 1);
  for (const id of cyclic) depth.set(id, 0); // a loop has no data-flow order: its nodes start the first column

  const columns: ArrangedNode[][] = [];
  for (const n of moving) (columns[depth.get(n.id) ?? 0] ??= []).push(n);
  const pinned = nodes.filter((n) => n.pinned);
  const x0 = Math.min(...moving.map((n) => n.position.x));
  const y0 = Math.min(...moving.map((n) => n.position.y));
  const out = new Map<string, XYPosition>();
  let x = x0;
  for (const column of columns) {
    if (!column) continue;
    column.sort((a, b) => a.position.y - b.position.y || a.position.x - b.position.x);
    const width = Math.max(...column.map((n) => n.width));
    let y = y0;
    for (const n of column) {
      y = belowPinned(pinned, { x, y, width: n.width, height: n.height }, gap);
      out.set(n.id, { x, y });
      y += n.height + gap.y;
    }
    x += width + gap.x;
  }
  return out;
}

/** The first y at or below `box.y` where the box, kept a gap away, overlaps no pinned node. */
function belowPinned(pinned: readonly ArrangedNode[], box: { x: number; y: number; width: number; height: number }, gap: XYPosition): number {
  let y = box.y;
  for (let moved = true; moved;) {
    moved = false;
    for (const p of pinned) {
      const overlapsX = box.x < p.position.x + p.width + gap.x && p.position.x < box.x + box.width + gap.x;
      const overlapsY = y < p.position.y + p.height + gap.y && p.position.y < y + box.height + gap.y;
      if (overlapsX && overlapsY) {
        y = p.position.y + p.height + gap.y;
        moved = true;
      }
    }
  }
  return y;
}
