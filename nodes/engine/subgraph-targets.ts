// "Run to here" on a subgraph node: the node is gone once flattened, so a target naming it becomes what it stands
// for in the flat graph — the inner nodes its output sockets come from, and its inner output nodes (a Save Image
// inside runs too, as it would if the subgraph's contents were run to one by one). A target inside a bypassed
// subgraph node (left unexpanded) is named with it, so the problem can say why it is not in the graph.
import type { CatalogNode } from './catalog';
import type { FlattenResult } from './subgraph';

export interface SubgraphTargets {
  /** The targets as flat node ids (a target that is no subgraph node is kept as it is, for validation to judge). */
  targets: string[];
  /** Subgraph nodes that leave nothing to run: no output sockets and no output node inside. */
  empty: string[];
  /** Targets inside a bypassed subgraph node (its inside never runs) → that node. */
  bypassed: Map<string, string>;
}

export function resolveSubgraphTargets(
  targets: readonly string[], flat: Pick<FlattenResult, 'graph' | 'expanded' | 'bypassed'>, catalog: ReadonlyMap<string, CatalogNode>,
): SubgraphTargets {
  if (!flat.expanded.size && !flat.bypassed.size) return { targets: [...targets], empty: [], bypassed: new Map() };
  const types = new Map(flat.graph.nodes.map((n) => [n.id, n.type]));
  const out = new Set<string>();
  const empty: string[] = [];
  const bypassed = new Map<string, string>();
  for (const t of targets) {
    const sub = flat.expanded.get(t);
    const around = sub || types.has(t) ? undefined : [...flat.bypassed.keys()].find((b) => t.startsWith(`${b}/`));
    if (around !== undefined) {
      bypassed.set(t, around);
      continue;
    }
    if (!sub) {
      out.add(t);
      continue;
    }
    const inner = [...sub.outputs.map((o) => o.from.node), ...sub.nodes.filter((id) => catalog.get(types.get(id) ?? '')?.output)];
    if (!inner.length) empty.push(t);
    for (const id of inner) out.add(id);
  }
  return { targets: [...out], empty, bypassed };
}
