// Left-to-right layout for graphs that arrive without positions (imports): a node's column is its
// longest path from a source; rows follow the parents' rows so wires cross less.
import type { Graph } from '../engine/graph';
import { adjacency, topologicalOrder } from '../engine/order';

export interface LayoutSpacing {
  x: number;
  y: number;
}

/** Column widths and row heights that fit the editor's default node sizes. */
export const DEFAULT_SPACING: LayoutSpacing = { x: 340, y: 240 };

export function layoutByDepth(graph: Pick<Graph, 'nodes' | 'edges'>, spacing: LayoutSpacing = DEFAULT_SPACING): Map<string, { x: number; y: number }> {
  const { parents } = adjacency(graph);
  const { order, cyclic } = topologicalOrder(graph);
  const depth = new Map<string, number>();
  // Nodes on a cycle have no longest path; they go after everything that is placed.
  for (const id of [...order, ...cyclic]) {
    const ps = parents.get(id) ?? [];
    depth.set(id, ps.reduce((d, p) => Math.max(d, (depth.get(p) ?? -1) + 1), 0));
  }
  const columns: string[][] = [];
  for (const n of graph.nodes) (columns[depth.get(n.id) ?? 0] ??= []).push(n.id);

  const row = new Map<string, number>();
  const positions = new Map<string, { x: number; y: number }>();
  columns.forEach((ids, col) => {
    const rank = new Map(ids.map((id, i) => [id, i]));
    const weight = (id: string): number => {
      const rows = (parents.get(id) ?? []).map((p) => row.get(p)).filter((r): r is number => r !== undefined);
      return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : rank.get(id)!;
    };
    const sorted = [...ids].sort((a, b) => weight(a) - weight(b) || rank.get(a)! - rank.get(b)!);
    sorted.forEach((id, r) => {
      row.set(id, r);
      positions.set(id, { x: col * spacing.x, y: r * spacing.y });
    });
  });
  return positions;
}
