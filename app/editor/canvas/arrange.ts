// "Arrange" (canvas menu): nodes in columns by their depth in the data flow (the longest path from a node nothing
// feeds), each column stacked in the order its nodes already had, spaced by their measured sizes so none overlap.
// Pure: positions only; the caller moves the nodes (one undo step).
import type { XYPosition } from '@xyflow/react';
import type { GraphEdge } from '../../../nodes/engine/graph';
import { topologicalOrder } from '../../../nodes/engine/order';

export interface ArrangedNode {
  id: string;
  position: XYPosition;
  width: number;
  height: number;
}

export const ARRANGE_GAP = { x: 80, y: 40 };

/** New top-left corners, keyed by node id; the arrangement starts where the nodes' bounding box did. */
export function arrangeLayers(nodes: readonly ArrangedNode[], edges: readonly GraphEdge[], gap = ARRANGE_GAP): Map<string, XYPosition> {
  if (!nodes.length) return new Map();
  const graph = { nodes: nodes.map((n) => ({ id: n.id })), edges: [...edges] };
  const { order, cyclic } = topologicalOrder(graph as Parameters<typeof topologicalOrder>[0]);
  const parents = new Map<string, string[]>();
  for (const e of edges) parents.set(e.to.node, [...(parents.get(e.to.node) ?? []), e.from.node]);
  const depth = new Map<string, number>();
  for (const id of order) depth.set(id, Math.max(-1, ...(parents.get(id) ?? []).map((p) => depth.get(p) ?? -1)) + 1);
  for (const id of cyclic) depth.set(id, 0); // a loop has no data-flow order: its nodes start the first column

  const columns: ArrangedNode[][] = [];
  for (const n of nodes) (columns[depth.get(n.id) ?? 0] ??= []).push(n);
  const x0 = Math.min(...nodes.map((n) => n.position.x));
  const y0 = Math.min(...nodes.map((n) => n.position.y));
  const out = new Map<string, XYPosition>();
  let x = x0;
  for (const column of columns) {
    if (!column) continue;
    column.sort((a, b) => a.position.y - b.position.y || a.position.x - b.position.x);
    let y = y0;
    for (const n of column) {
      out.set(n.id, { x, y });
      y += n.height + gap.y;
    }
    x += Math.max(...column.map((n) => n.width)) + gap.x;
  }
  return out;
}
