// Bypass (ComfyUI's Ctrl+B): a bypassed node does not run; each of its outputs is fed, instead, by whatever feeds
// its first input of the same socket type (a LoRA loader passes MODEL and CLIP through, a resize passes its
// IMAGE). An output with no such input has nothing to pass: the edges it fed are dropped and the nodes there
// report the missing input, naming the bypassed node. Chains of bypassed nodes pass through one after another.
// A bypassed subgraph node is left unexpanded by flattening and passes through by its definition's socket types.
import type { CatalogNode } from './catalog';
import type { Graph, GraphEdge } from './graph';

export interface BypassResult {
  /** The graph that runs: bypassed nodes removed, their consumers rewired. */
  graph: Graph;
  /** `${nodeId}\0${input}` of inputs left unconnected by a bypass → the bypassed node that cut them. */
  cut: Map<string, string>;
}

/** Socket types of a node the catalog does not describe (a bypassed subgraph node: its definition's sockets). */
export interface BypassSockets {
  inputs: readonly { name: string; type: string }[];
  outputs: readonly { name: string; type: string }[];
}

export function isBypassed(node: { mode?: string }): boolean {
  return node.mode === 'bypass';
}

export function resolveBypass(
  graph: Graph, catalog: ReadonlyMap<string, CatalogNode>, sockets: ReadonlyMap<string, BypassSockets> = new Map(),
): BypassResult {
  const bypassed = new Map(graph.nodes.filter(isBypassed).map((n) => [n.id, n]));
  if (!bypassed.size) return { graph, cut: new Map() };
  const into = new Map<string, GraphEdge>(); // `${node}\0${input}` → the edge feeding it
  for (const e of graph.edges) into.set(`${e.to.node}\0${e.to.input}`, e);

  /** The real source behind output `output` of node `nodeId` (following bypassed nodes), or the bypassed node that ends the trail. */
  const source = (from: GraphEdge['from'], seen = new Set<string>()): { from: GraphEdge['from'] } | { cutBy: string } => {
    const node = bypassed.get(from.node);
    if (!node) return { from };
    if (seen.has(node.id)) return { cutBy: node.id }; // a cycle of bypassed nodes passes nothing
    seen.add(node.id);
    const def = sockets.get(node.id) ?? catalog.get(node.type);
    const type = def?.outputs.find((o) => o.name === from.output)?.type;
    const input = type ? def!.inputs.find((i) => i.type === type) : undefined;
    const feeding = input ? into.get(`${node.id}\0${input.name}`) : undefined;
    return feeding ? source(feeding.from, seen) : { cutBy: node.id };
  };

  const cut = new Map<string, string>();
  const edges: GraphEdge[] = [];
  for (const e of graph.edges) {
    if (bypassed.has(e.to.node)) continue;
    const s = source(e.from);
    if ('from' in s) edges.push(s.from === e.from ? e : { from: s.from, to: e.to });
    else cut.set(`${e.to.node}\0${e.to.input}`, s.cutBy);
  }
  return { graph: { ...graph, nodes: graph.nodes.filter((n) => !bypassed.has(n.id)), edges }, cut };
}
