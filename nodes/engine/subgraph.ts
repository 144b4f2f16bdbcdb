// Subgraphs: a node of type `subgraph` stands for an inner graph kept in the graph's `subgraphs` definitions. Before
// bypass, reroutes and param inputs are resolved (and so before validation, execution and cache keys), each one is
// replaced by its inner nodes, ids prefixed `<subgraph node id>/`, with the wires that crossed its sockets rewired to
// the inner sockets they stand for and its promoted params written into the inner nodes. A graph therefore runs,
// caches and renders exactly as its flattened copy does; cache keys never name node ids. A bypassed subgraph node is
// not expanded (nothing inside runs): it stays as one node for resolveBypass, which feeds each of its outputs from its
// first input of that type, as for any bypassed node.
import { isBypassed, type BypassSockets } from './bypass';
import type { Graph, GraphEdge, GraphNode, SubgraphDefinition } from './graph';

export const SUBGRAPH_TYPE = 'subgraph';
/** Subgraphs inside subgraphs deeper than this are refused: far beyond real use, and it bounds a bad file's cost. */
export const MAX_SUBGRAPH_DEPTH = 16;
/**
 * Most nodes a graph may flatten to (the graph schema's own node limit): definitions can be shared, so a few nested
 * ones can multiply into more nodes than any machine holds; expansion stops there with a problem instead.
 */
export const MAX_FLAT_NODES = 100_000;

export function isSubgraph(node: { type: string }): boolean {
  return node.type === SUBGRAPH_TYPE;
}

/** The flat id of inner node `innerId` of subgraph node `subgraphNodeId` (stable: previews and breakpoints use it). */
export function innerNodeId(subgraphNodeId: string, innerId: string): string {
  return `${subgraphNodeId}/${innerId}`;
}

export interface SubgraphProblem {
  code: 'unknown_subgraph' | 'unknown_socket';
  nodeId: string;
  input?: string;
  message: string;
}

export interface FlattenResult {
  /** The graph with no subgraph nodes left (definitions dropped; the rest as given). */
  graph: Graph;
  /** Flat id of every node that came out of a subgraph → the top-level subgraph node it came from. */
  origin: Map<string, string>;
  /** Bypassed subgraph nodes left in the graph (flat id) → their definition's sockets, for resolveBypass. */
  bypassed: Map<string, BypassSockets>;
  /** Every expanded subgraph node (flat id, any depth) → what came out of it ("run to here" on it, subgraph-targets.ts). */
  expanded: Map<string, ExpandedSubgraph>;
  problems: SubgraphProblem[];
}

export interface ExpandedSubgraph {
  /** Its output sockets and where each starts in the flat graph. */
  outputs: { name: string; from: From }[];
  /** Flat ids of every node that came out of it, nested subgraphs' too. */
  nodes: string[];
}

export function flattenSubgraphs(graph: Graph): FlattenResult {
  if (!graph.nodes.some(isSubgraph)) return { graph: withoutDefinitions(graph), origin: new Map(), bypassed: new Map(), expanded: new Map(), problems: [] };
  const defs = graph.subgraphs ?? {};
  const problems: SubgraphProblem[] = [];
  const origin = new Map<string, string>();
  const bypassed = new Map<string, BypassSockets>();
  const expanded = new Map<string, ExpandedSubgraph>();
  const budget = { left: MAX_FLAT_NODES, spent: false };
  const flat = flattenLevel(graph.nodes, graph.edges, { defs, problems, origin, bypassed, expanded, budget }, undefined, []);
  return { graph: withoutDefinitions({ ...graph, nodes: flat.nodes, edges: flat.edges }), origin, bypassed, expanded, problems };
}

interface Walk {
  defs: NonNullable<Graph['subgraphs']>;
  problems: SubgraphProblem[];
  origin: Map<string, string>;
  bypassed: Map<string, BypassSockets>;
  expanded: Map<string, ExpandedSubgraph>;
  budget: { left: number; spent: boolean };
}

type To = GraphEdge['to'];
type From = GraphEdge['from'];

/**
 * One level's nodes and edges, its subgraph nodes expanded (depth first, each exactly once, so the work is linear in
 * the flat graph): `top` is the top-level subgraph node this level is inside, `chain` the definitions above it.
 * Returns the flat nodes and edges, and where each socket of this level's subgraph nodes leads in the flat graph.
 */
function flattenLevel(nodes: readonly GraphNode[], edges: readonly GraphEdge[], w: Walk, top: string | undefined, chain: readonly string[]) {
  const out: GraphNode[] = [];
  const outEdges: GraphEdge[] = [];
  const gone = new Set<string>(); // subgraph nodes that could not be expanded: their wires are dropped
  const inputs = new Map<string, { name: string; sockets: Map<string, To[]>; outputs: Map<string, From> }>();
  for (const node of nodes) {
    if (top !== undefined) w.origin.set(node.id, top);
    if (!isSubgraph(node)) {
      if (w.budget.left <= 0) {
        gone.add(node.id);
        continue;
      }
      w.budget.left--;
      out.push(node);
      continue;
    }
    const fail = (message: string) => {
      w.problems.push({ code: 'unknown_subgraph', nodeId: node.id, message });
      gone.add(node.id);
    };
    const def = node.subgraph === undefined ? undefined : w.defs[node.subgraph];
    if (!def) {
      fail(node.subgraph === undefined
        ? `subgraph node "${node.id}" names no definition`
        : `subgraph node "${node.id}" uses definition "${node.subgraph}", which this graph does not contain`);
    } else if (isBypassed(node)) {
      // Kept whole, wires as they are: resolveBypass passes its inputs through; its inside never runs.
      w.budget.left--;
      w.bypassed.set(node.id, { inputs: def.inputs, outputs: def.outputs });
      out.push(node);
    } else if (chain.includes(node.subgraph!)) {
      fail(`subgraph node "${node.id}" uses "${def.name}" inside itself (${[...chain, node.subgraph].join(' → ')})`);
    } else if (chain.length >= MAX_SUBGRAPH_DEPTH) {
      fail(`subgraph node "${node.id}" nests subgraphs more than ${MAX_SUBGRAPH_DEPTH} deep`);
    } else if (w.budget.left < def.nodes.length) {
      if (!w.budget.spent) fail(`subgraph node "${node.id}" would make the graph larger than ${MAX_FLAT_NODES} nodes once its subgraphs are expanded`);
      else gone.add(node.id);
      w.budget.spent = true;
    } else {
      const expanded = expand(node, def);
      w.problems.push(...expanded.problems);
      const inner = flattenLevel(expanded.nodes, expanded.edges, w, top ?? node.id, [...chain, node.subgraph!]);
      out.push(...inner.nodes);
      outEdges.push(...inner.edges);
      // This node's sockets, resolved through the inner level's own subgraph nodes.
      const sockets = new Map([...expanded.inputs].map(([name, tos]) => [name, tos.flatMap(inner.resolveTo)]));
      const outputs = new Map<string, From>();
      for (const [name, from] of expanded.outputs) {
        const resolved = inner.resolveFrom(from);
        if (resolved) outputs.set(name, resolved);
      }
      inputs.set(node.id, { name: def.name, sockets, outputs });
      w.expanded.set(node.id, { outputs: [...outputs].map(([name, from]) => ({ name, from })), nodes: inner.nodes.map((n) => n.id) });
    }
  }
  const resolveTo = (to: To): To[] => {
    const sub = inputs.get(to.node);
    if (!sub) return gone.has(to.node) ? [] : [to];
    const tos = sub.sockets.get(to.input);
    if (!tos) w.problems.push({ code: 'unknown_socket', nodeId: to.node, input: to.input, message: `subgraph node "${to.node}" ("${sub.name}") has no input "${to.input}"` });
    return tos ?? [];
  };
  const resolveFrom = (from: From): From | undefined => {
    const sub = inputs.get(from.node);
    if (!sub) return gone.has(from.node) ? undefined : from;
    const resolved = sub.outputs.get(from.output);
    if (!resolved) w.problems.push({ code: 'unknown_socket', nodeId: from.node, message: `subgraph node "${from.node}" ("${sub.name}") has no output "${from.output}"` });
    return resolved;
  };
  for (const e of edges) {
    const from = resolveFrom(e.from);
    const tos = resolveTo(e.to);
    if (from) for (const to of tos) outEdges.push(from === e.from && to === e.to ? e : { from, to });
  }
  return { nodes: out, edges: outEdges, resolveTo, resolveFrom };
}

function withoutDefinitions(graph: Graph): Graph {
  if (graph.subgraphs === undefined) return graph;
  const { subgraphs: _definitions, ...rest } = graph;
  return rest;
}

/** Subgraph node `node`'s inner nodes and edges under flat ids, and where each of its sockets leads inside. */
function expand(node: GraphNode, def: SubgraphDefinition) {
  const id = (inner: string) => innerNodeId(node.id, inner);
  const problems: SubgraphProblem[] = [];
  const promoted = new Map<string, Record<string, unknown>>();
  for (const p of def.params) {
    const value = node.params[p.name];
    if (value === undefined) continue; // not set on the subgraph node: the inner node keeps its own value
    promoted.set(p.node, { ...promoted.get(p.node), [p.param]: value });
  }
  const innerIds = new Set(def.nodes.map((n) => n.id));
  const missing = (what: string, inner: string) =>
    problems.push({ code: 'unknown_subgraph', nodeId: node.id, message: `subgraph "${def.name}" ${what} names inner node "${inner}", which it does not contain` });
  for (const p of def.params) if (!innerIds.has(p.node)) missing(`param "${p.name}"`, p.node);
  for (const name of Object.keys(node.params)) {
    if (!def.params.some((p) => p.name === name)) {
      problems.push({ code: 'unknown_subgraph', nodeId: node.id, message: `subgraph node "${node.id}" ("${def.name}") has no param "${name}"; valid: ${def.params.map((p) => p.name).join(', ') || 'none'}` });
    }
  }
  const nodes = def.nodes.map((n): GraphNode => ({ ...n, id: id(n.id), params: { ...n.params, ...promoted.get(n.id) } }));
  const edges = def.edges.map((e): GraphEdge => ({ from: { node: id(e.from.node), output: e.from.output }, to: { node: id(e.to.node), input: e.to.input } }));
  const inputs = new Map<string, GraphEdge['to'][]>();
  for (const i of def.inputs) {
    for (const to of i.to) if (!innerIds.has(to.node)) missing(`input "${i.name}"`, to.node);
    inputs.set(i.name, i.to.filter((to) => innerIds.has(to.node)).map((to) => ({ node: id(to.node), input: to.input })));
  }
  const outputs = new Map<string, GraphEdge['from']>();
  for (const o of def.outputs) {
    if (!innerIds.has(o.from.node)) missing(`output "${o.name}"`, o.from.node);
    else outputs.set(o.name, { node: id(o.from.node), output: o.from.output });
  }
  return { nodes, edges, inputs, outputs, problems };
}
