// Reroute nodes (dots on wires, type `reroute`): resolved away before validation and execution, like bypass, each
// consumer fed by whatever feeds the reroute (through chains of them), so a graph runs and caches as it would
// without them. Also the type a reroute carries, for the editor's connection checks and colours.
import type { SocketType } from '../define';
import type { CatalogNode } from './catalog';
import type { Graph, GraphEdge } from './graph';

export const REROUTE_TYPE = 'reroute';
const IN = 'input';
const OUT = 'output';

export interface RerouteResult {
  /** The graph that runs: reroutes removed, their consumers fed by the reroutes' sources. */
  graph: Graph;
  /** `${nodeId}\0${input}` of inputs fed through reroutes → the reroutes passed, nearest to the input first. */
  via: Map<string, string[]>;
  /** `${nodeId}\0${input}` of inputs fed by a reroute that passes nothing → that reroute and why. */
  cut: Map<string, { reroute: string; why: 'unfed' | 'cycle' }>;
  /** Edges naming a socket a reroute does not have (it has `input` and `output`). */
  badSockets: { edge: GraphEdge; reroute: string; socket: string }[];
}

export function isReroute(node: { type: string }): boolean {
  return node.type === REROUTE_TYPE;
}

const inputKey = (node: string, input: string) => `${node}\0${input}`;

export function resolveReroutes(graph: Graph): RerouteResult {
  const reroutes = new Set(graph.nodes.filter(isReroute).map((n) => n.id));
  const empty: RerouteResult = { graph, via: new Map(), cut: new Map(), badSockets: [] };
  if (!reroutes.size) return empty;
  const badSockets: RerouteResult['badSockets'] = [];
  const into = new Map<string, GraphEdge>(); // reroute id → the edge feeding it
  for (const e of graph.edges) {
    if (reroutes.has(e.to.node)) {
      if (e.to.input !== IN) badSockets.push({ edge: e, reroute: e.to.node, socket: e.to.input });
      else into.set(e.to.node, e);
    }
    if (reroutes.has(e.from.node) && e.from.output !== OUT) badSockets.push({ edge: e, reroute: e.from.node, socket: e.from.output });
  }

  type Trail = { from: GraphEdge['from']; via: string[] } | { reroute: string; why: 'unfed' | 'cycle'; via: string[] };
  const trail = (from: GraphEdge['from']): Trail => {
    const via: string[] = [];
    while (reroutes.has(from.node)) {
      if (via.includes(from.node)) return { reroute: from.node, why: 'cycle', via };
      via.push(from.node);
      const feeding = into.get(from.node);
      if (!feeding) return { reroute: from.node, why: 'unfed', via };
      from = feeding.from;
    }
    return { from, via };
  };

  const via = new Map<string, string[]>();
  const cut = new Map<string, { reroute: string; why: 'unfed' | 'cycle' }>();
  const edges: GraphEdge[] = [];
  for (const e of graph.edges) {
    if (reroutes.has(e.to.node)) continue;
    const t = trail(e.from);
    const key = inputKey(e.to.node, e.to.input);
    if ('from' in t) {
      edges.push(t.via.length ? { from: t.from, to: e.to } : e);
      if (t.via.length) via.set(key, t.via);
    } else {
      cut.set(key, { reroute: t.reroute, why: t.why });
    }
  }
  return { graph: { ...graph, nodes: graph.nodes.filter((n) => !reroutes.has(n.id)), edges }, via, cut, badSockets };
}

type Typed = { nodes: readonly { id: string; type: string }[]; edges: readonly GraphEdge[] };

/** The type reaching reroute `id` from upstream (through reroutes), or undefined when no typed output feeds it. */
function rerouteSourceType(graph: Typed, catalog: ReadonlyMap<string, CatalogNode>, id: string): SocketType | undefined {
  const byId = new Map(graph.nodes.map((n) => [n.id, n] as const));
  const seen = new Set<string>();
  for (let at = id; !seen.has(at);) {
    seen.add(at);
    const e = graph.edges.find((x) => x.to.node === at && x.to.input === IN);
    const src = e && byId.get(e.from.node);
    if (!e || !src) return undefined;
    if (!isReroute(src)) return catalog.get(src.type)?.outputs.find((o) => o.name === e.from.output)?.type;
    at = src.id;
  }
  return undefined;
}

/** The type the inputs reroute `id` feeds take (through reroutes downstream, the first found), or undefined. */
export function rerouteConsumerType(graph: Typed, catalog: ReadonlyMap<string, CatalogNode>, id: string): SocketType | undefined {
  const byId = new Map(graph.nodes.map((n) => [n.id, n] as const));
  const down = [id];
  const visited = new Set(down);
  while (down.length) {
    const at = down.shift()!;
    for (const e of graph.edges) {
      const dst = e.from.node === at ? byId.get(e.to.node) : undefined;
      if (!dst) continue;
      if (!isReroute(dst)) {
        const type = catalog.get(dst.type)?.inputs.find((i) => i.name === e.to.input)?.type;
        if (type) return type;
      } else if (!visited.has(dst.id)) {
        visited.add(dst.id);
        down.push(dst.id);
      }
    }
  }
  return undefined;
}

/** What reroute `id` carries: its source's type, else what its consumers take (a dot drawn before it is fed). */
export function rerouteType(graph: Typed, catalog: ReadonlyMap<string, CatalogNode>, id: string): SocketType | undefined {
  return rerouteSourceType(graph, catalog, id) ?? rerouteConsumerType(graph, catalog, id);
}
