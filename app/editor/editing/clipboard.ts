// Copy/paste and duplicate of node selections as graph fragments (pure; the editor owns the state).
import type { GraphEdge, GraphNode } from '../../../nodes/engine/graph';
import { freshNodeId } from './graph-mapping';

export interface GraphFragment {
  nodes: GraphNode[];
  /** Only edges whose both ends are inside the fragment. */
  edges: GraphEdge[];
}

export function fragmentOf(nodes: readonly GraphNode[], edges: readonly GraphEdge[], selected: ReadonlySet<string>): GraphFragment {
  return {
    nodes: nodes.filter((n) => selected.has(n.id)).map((n) => structuredClone(n)),
    edges: edges.filter((e) => selected.has(e.from.node) && selected.has(e.to.node)).map((e) => structuredClone(e)),
  };
}

/** New ids for every node (internal edges follow), positions shifted by `offset`. */
export function instantiateFragment(
  fragment: GraphFragment,
  takenIds: Iterable<string>,
  offset: { x: number; y: number },
): GraphFragment {
  const taken = new Set(takenIds);
  const rename = new Map<string, string>();
  const nodes = fragment.nodes.map((n) => {
    const id = freshNodeId(n.type, taken);
    taken.add(id);
    rename.set(n.id, id);
    const pos = n.position ?? { x: 0, y: 0 };
    return { ...structuredClone(n), id, position: { x: pos.x + offset.x, y: pos.y + offset.y } };
  });
  const edges = fragment.edges.map((e) => ({
    from: { node: rename.get(e.from.node)!, output: e.from.output },
    to: { node: rename.get(e.to.node)!, input: e.to.input },
  }));
  return { nodes, edges };
}

/** Clipboard text format: tagged JSON so a paste of unrelated text is ignored. */
export function serializeFragment(f: GraphFragment): string {
  return JSON.stringify({ stepflowFragment: 1, ...f });
}

export function parseFragment(text: string): GraphFragment | null {
  try {
    const v = JSON.parse(text) as { stepflowFragment?: number; nodes?: unknown; edges?: unknown };
    if (v?.stepflowFragment !== 1 || !Array.isArray(v.nodes) || !Array.isArray(v.edges)) return null;
    return { nodes: v.nodes as GraphNode[], edges: v.edges as GraphEdge[] };
  } catch {
    return null;
  }
}
