// An opened subgraph on the canvas (pure): its inner nodes are shown under their flat ids (`<subgraph node>/<inner>`,
// nodes/engine/subgraph.ts) so run status, previews, problems and breakpoints keyed by the ids a run reports land on
// them; leaving writes the inner graph back into the definition. `composeLevels` gives the whole workflow graph
// whichever level is on screen, so saving and running never see only a subgraph.
import { GRAPH_FORMAT_VERSION, type Graph, type GraphEdge, type SubgraphDefinition } from '../../../nodes/engine/graph';
import { usedSubgraphs } from '../editing/graph-mapping';
import type { SeedAdvance } from '../run/seed-advance';

export type Definitions = NonNullable<Graph['subgraphs']>;

/** One opened subgraph: the node opened (id as shown at its parent level), its definition, and the parent level as it was. */
export interface Level {
  nodeId: string;
  key: string;
  name: string;
  outer: Graph;
  /** The parent level's undo history, put back on leaving (opaque here: app/editor/document/history.ts). */
  history?: unknown;
}

const prefixOf = (level: Pick<Level, 'nodeId'>) => `${level.nodeId}/`;

/** Definition `def` as a canvas graph, ids prefixed with the opened node's id. */
export function definitionToLevel(def: SubgraphDefinition, nodeId: string): Graph {
  const id = (inner: string) => `${nodeId}/${inner}`;
  return {
    version: GRAPH_FORMAT_VERSION,
    nodes: def.nodes.map((n) => ({ ...n, id: id(n.id) })),
    edges: def.edges.map((e): GraphEdge => ({ from: { ...e.from, node: id(e.from.node) }, to: { ...e.to, node: id(e.to.node) } })),
  };
}

/**
 * The canvas graph of an opened subgraph written back into its definition: prefixes dropped; sockets and promoted
 * params that named deleted inner nodes go (a wire to such a socket is then reported on the subgraph node).
 */
export function levelToDefinition(level: Pick<Graph, 'nodes' | 'edges'>, nodeId: string, def: SubgraphDefinition): SubgraphDefinition {
  const prefix = prefixOf({ nodeId });
  const strip = (id: string) => (id.startsWith(prefix) ? id.slice(prefix.length) : id);
  const nodes = level.nodes.map((n) => ({ ...n, id: strip(n.id) }));
  const ids = new Set(nodes.map((n) => n.id));
  return {
    ...def,
    nodes,
    edges: level.edges.map((e) => ({ from: { ...e.from, node: strip(e.from.node) }, to: { ...e.to, node: strip(e.to.node) } })),
    inputs: def.inputs.map((i) => ({ ...i, to: i.to.filter((t) => ids.has(t.node)) })).filter((i) => i.to.length > 0),
    outputs: def.outputs.filter((o) => ids.has(o.from.node)),
    params: def.params.filter((p) => ids.has(p.node)),
  };
}

/** `defs` with the level on screen written into the innermost opened definition (unchanged at the top level). */
export function commitLevel(current: Pick<Graph, 'nodes' | 'edges'>, path: readonly Level[], defs: Definitions): Definitions {
  const top = path.at(-1);
  if (!top || !defs[top.key]) return defs;
  return { ...defs, [top.key]: levelToDefinition(current, top.nodeId, defs[top.key]) };
}

/** The whole workflow graph while `current` (the canvas) is at depth `path.length`; `meta` and used definitions only. */
export function composeLevels(current: Graph, path: readonly Level[], defs: Definitions): Graph {
  const all = commitLevel(current, path, defs);
  const { subgraphs: _old, ...root } = path.length ? { ...path[0].outer, meta: current.meta } : current;
  if (root.meta === undefined) delete root.meta;
  const used = usedSubgraphs(root.nodes, all);
  return Object.keys(used).length ? { ...root, subgraphs: used } : root;
}

/** The seed advances of a run as the canvas of `level` shows its nodes (undefined: the workflow's own level). */
export function seedsOnLevel(advances: readonly SeedAdvance[], level?: Pick<Level, 'nodeId' | 'key'>): SeedAdvance[] {
  if (!level) return advances.filter((a) => a.subgraph === undefined);
  return advances.filter((a) => a.subgraph === level.key).map(({ subgraph: _key, ...a }) => ({ ...a, nodeId: `${prefixOf(level)}${a.nodeId}` }));
}
