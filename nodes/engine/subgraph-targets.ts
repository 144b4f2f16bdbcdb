// "Run to here" on a subgraph node: the node is gone once flattened, so a target naming it becomes what it stands
// for in the flat graph — the inner nodes its output sockets come from, and its inner output nodes (a Save Image
// inside runs too, as it would if the subgraph's contents were run to one by one).
import type { CatalogNode } from './catalog';
import type { FlattenResult } from './subgraph';

export interface SubgraphTargets {
  /** The targets as flat node ids (a target that is no subgraph node is kept as it is, for validation to judge). */
  targets: string[];
  /** Subgraph nodes that leave nothing to run: no output sockets and no output node inside. */
  empty: string[];
}

export function resolveSubgraphTargets(
  targets: readonly string[], flat: Pick<FlattenResult, 'graph' | 'expanded'>, catalog: ReadonlyMap<string, CatalogNode>,
): SubgraphTargets {
  if (!flat.expanded.size) return { targets: [...targets], empty: [] };
  const types = new Map(flat.graph.nodes.map((n) => [n.id, n.type]));
  const out = new Set<string>();
  const empty: string[] = [];
  for (const t of targets) {
    const sub = flat.expanded.get(t);
    if (!sub) {
      out.add(t);
      continue;
    }
    const inner = [...sub.outputs.map((o) => o.from.node), ...sub.nodes.filter((id) => catalog.get(types.get(id) ?? '')?.output)];
    if (!inner.length) empty.push(t);
    for (const id of inner) out.add(id);
  }
  return { targets: [...out], empty };
}
