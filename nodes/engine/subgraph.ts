// Subgraphs: a node of type `subgraph` stands for an inner graph kept in the graph's `subgraphs` definitions. Before
// bypass, reroutes and param inputs are resolved (and so before validation, execution and cache keys), each one is
// replaced by its inner nodes, ids prefixed `<subgraph node id>/`, with the wires that crossed its sockets rewired to
// the inner sockets they stand for and its promoted params written into the inner nodes. A graph therefore runs,
// caches and renders exactly as its flattened copy does; cache keys never name node ids.
import type { Graph, GraphEdge, GraphNode, SubgraphDefinition } from './graph';

export const SUBGRAPH_TYPE = 'subgraph';
/** Subgraphs inside subgraphs deeper than this are refused: far beyond real use, and it bounds a bad file's cost. */
export const MAX_SUBGRAPH_DEPTH = 16;

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
  problems: SubgraphProblem[];
}

export function flattenSubgraphs(graph: Graph): FlattenResult {
  if (!graph.nodes.some(isSubgraph)) return { graph: withoutDefinitions(graph), origin: new Map(), problems: [] };
  const defs = graph.subgraphs ?? {};
  const problems: SubgraphProblem[] = [];
  const origin = new Map<string, string>();
  // Definitions being expanded above each node, outermost first: a definition inside itself is a cycle.
  const chain = new Map<string, string[]>();
  let nodes: GraphNode[] = graph.nodes;
  let edges: GraphEdge[] = graph.edges;

  // One subgraph node at a time, until none is left: nested ones surface as inner nodes and are expanded in turn.
  for (let s = nodes.find(isSubgraph); s; s = nodes.find(isSubgraph)) {
    const node = s;
    const outer = chain.get(node.id) ?? [];
    const top = origin.get(node.id) ?? node.id;
    const def = node.subgraph === undefined ? undefined : defs[node.subgraph];
    const fail = (message: string) => {
      problems.push({ code: 'unknown_subgraph', nodeId: node.id, message });
      nodes = nodes.filter((n) => n !== node);
      edges = edges.filter((e) => e.from.node !== node.id && e.to.node !== node.id);
    };
    if (!def) {
      fail(node.subgraph === undefined
        ? `subgraph node "${node.id}" names no definition`
        : `subgraph node "${node.id}" uses definition "${node.subgraph}", which this graph does not contain`);
      continue;
    }
    if (outer.includes(node.subgraph!)) {
      fail(`subgraph node "${node.id}" uses "${def.name}" inside itself (${[...outer, node.subgraph].join(' → ')})`);
      continue;
    }
    if (outer.length >= MAX_SUBGRAPH_DEPTH) {
      fail(`subgraph node "${node.id}" nests subgraphs more than ${MAX_SUBGRAPH_DEPTH} deep`);
      continue;
    }
    const expanded = expand(node, def);
    for (const n of expanded.nodes) {
      origin.set(n.id, top);
      if (isSubgraph(n)) chain.set(n.id, [...outer, node.subgraph!]);
    }
    problems.push(...expanded.problems);
    const rewired: GraphEdge[] = [];
    for (const e of edges) {
      if (e.to.node === node.id) {
        const targets = expanded.inputs.get(e.to.input);
        if (!targets) {
          problems.push({ code: 'unknown_socket', nodeId: node.id, input: e.to.input, message: `subgraph node "${node.id}" ("${def.name}") has no input "${e.to.input}"` });
          continue;
        }
        for (const to of targets) rewired.push({ from: e.from, to });
      } else if (e.from.node === node.id) {
        const from = expanded.outputs.get(e.from.output);
        if (!from) {
          problems.push({ code: 'unknown_socket', nodeId: node.id, message: `subgraph node "${node.id}" ("${def.name}") has no output "${e.from.output}"` });
          continue;
        }
        rewired.push({ from, to: e.to });
      } else {
        rewired.push(e);
      }
    }
    const at = nodes.indexOf(node);
    nodes = [...nodes.slice(0, at), ...expanded.nodes, ...nodes.slice(at + 1)];
    edges = [...rewired, ...expanded.edges];
  }
  return { graph: withoutDefinitions({ ...graph, nodes, edges }), origin, problems };
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
