// Turning a selection of nodes into one subgraph node and back (the editor's "Convert to subgraph" and "Unpack
// subgraph"). Pure graph → graph functions, so the engine tests can build the same graphs the editor does.
import type { CatalogNode } from './catalog';
import type { Graph, GraphEdge, GraphNode, SubgraphDefinition } from './graph';
import { isSubgraph, SUBGRAPH_TYPE } from './subgraph';

export class SubgraphEditError extends Error {
  override name = 'SubgraphEditError';
}

/** Input and output socket types of `node`: from the catalog, or from its definition for a subgraph node. */
export function nodeSockets(node: GraphNode, graph: Pick<Graph, 'subgraphs'>, catalog: ReadonlyMap<string, CatalogNode>) {
  if (isSubgraph(node)) {
    const def = node.subgraph === undefined ? undefined : graph.subgraphs?.[node.subgraph];
    return { inputs: def?.inputs ?? [], outputs: def?.outputs ?? [] };
  }
  const def = catalog.get(node.type);
  return { inputs: def?.inputs ?? [], outputs: def?.outputs ?? [] };
}

/** `base`, or `base_2`, `base_3`, … the first that is not taken. */
export function unique(base: string, taken: (s: string) => boolean): string {
  if (!taken(base)) return base;
  for (let i = 2; ; i++) if (!taken(`${base}_${i}`)) return `${base}_${i}`;
}

export interface ConvertOptions {
  name?: string;
  /** Id of the new subgraph node; default a fresh "subgraph", "subgraph_2", … */
  nodeId?: string;
}

/**
 * Moves nodes `ids` into a new subgraph definition and puts one subgraph node in their place, at their centre. Its
 * inputs are the wires that entered the selection (one per outside source, feeding every inner input it fed), its
 * outputs the inner outputs that wires left the selection from; those wires now attach to the subgraph node.
 */
export function convertToSubgraph(graph: Graph, ids: readonly string[], catalog: ReadonlyMap<string, CatalogNode>, opts: ConvertOptions = {}): { graph: Graph; nodeId: string; definition: string } {
  const inside = new Set(ids);
  const nodes = graph.nodes.filter((n) => inside.has(n.id));
  if (!nodes.length) throw new SubgraphEditError('select at least one node to convert to a subgraph');
  for (const id of inside) if (!nodes.some((n) => n.id === id)) throw new SubgraphEditError(`node "${id}" is not in the graph`);
  const defs = graph.subgraphs ?? {};
  const definition = unique('subgraph', (k) => k in defs);
  const nodeId = opts.nodeId ?? unique('subgraph', (k) => graph.nodes.some((n) => n.id === k));
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const typeOf = (node: string, socket: string, side: 'inputs' | 'outputs') =>
    nodeSockets(byId.get(node)!, graph, catalog)[side].find((s) => s.name === socket)?.type ?? 'ANY';

  const inputs: SubgraphDefinition['inputs'] = [];
  const outputs: SubgraphDefinition['outputs'] = [];
  const inputFor = new Map<string, string>(); // outside `${node}\0${output}` → subgraph input name
  const outputFor = new Map<string, string>(); // inside `${node}\0${output}` → subgraph output name
  const innerEdges: GraphEdge[] = [];
  const outerEdges: GraphEdge[] = [];
  for (const e of graph.edges) {
    const fromIn = inside.has(e.from.node);
    const toIn = inside.has(e.to.node);
    if (fromIn && toIn) {
      innerEdges.push(e);
    } else if (toIn) {
      const k = `${e.from.node}\0${e.from.output}`;
      let name = inputFor.get(k);
      if (name === undefined) {
        name = unique(e.to.input, (s) => inputs.some((i) => i.name === s));
        inputFor.set(k, name);
        inputs.push({ name, type: typeOf(e.to.node, e.to.input, 'inputs'), to: [] });
        outerEdges.push({ from: e.from, to: { node: nodeId, input: name } });
      }
      inputs.find((i) => i.name === name)!.to.push({ node: e.to.node, input: e.to.input });
    } else if (fromIn) {
      const k = `${e.from.node}\0${e.from.output}`;
      let name = outputFor.get(k);
      if (name === undefined) {
        name = unique(e.from.output, (s) => outputs.some((o) => o.name === s));
        outputFor.set(k, name);
        outputs.push({ name, type: typeOf(e.from.node, e.from.output, 'outputs'), from: e.from });
      }
      outerEdges.push({ from: { node: nodeId, output: name }, to: e.to });
    } else {
      outerEdges.push(e);
    }
  }
  const placed = nodes.filter((n) => n.position);
  const position = placed.length
    ? { x: placed.reduce((s, n) => s + n.position!.x, 0) / placed.length, y: placed.reduce((s, n) => s + n.position!.y, 0) / placed.length }
    : undefined;
  // Nested subgraph nodes keep naming their definitions, which stay in the graph's (shared) set.
  const def: SubgraphDefinition = { name: opts.name ?? 'Subgraph', nodes, edges: innerEdges, inputs, outputs, params: [] };
  const node: GraphNode = { id: nodeId, type: SUBGRAPH_TYPE, typeVersion: 1, params: {}, subgraph: definition, ...(position ? { position } : {}) };
  const at = graph.nodes.findIndex((n) => inside.has(n.id));
  const rest = graph.nodes.filter((n) => !inside.has(n.id));
  return {
    graph: { ...graph, nodes: [...rest.slice(0, at), node, ...rest.slice(at)], edges: outerEdges, subgraphs: { ...defs, [definition]: def } },
    nodeId,
    definition,
  };
}

/**
 * Puts subgraph node `nodeId`'s inner nodes back in its place (ids kept unless taken, then suffixed; centred on it,
 * promoted param values written in) and rewires its wires to them. The definition goes when nothing else uses it.
 */
export function unpackSubgraph(graph: Graph, nodeId: string): { graph: Graph; nodeIds: string[] } {
  const node = graph.nodes.find((n) => n.id === nodeId);
  if (!node || !isSubgraph(node)) throw new SubgraphEditError(`node "${nodeId}" is not a subgraph node`);
  const def = node.subgraph === undefined ? undefined : graph.subgraphs?.[node.subgraph];
  if (!def) throw new SubgraphEditError(`subgraph node "${nodeId}" has no definition "${node.subgraph}" in this graph`);
  const taken = new Set(graph.nodes.filter((n) => n.id !== nodeId).map((n) => n.id));
  const rename = new Map<string, string>();
  for (const n of def.nodes) {
    const id = unique(n.id, (s) => taken.has(s));
    taken.add(id);
    rename.set(n.id, id);
  }
  const placed = def.nodes.filter((n) => n.position);
  const cx = placed.reduce((s, n) => s + n.position!.x, 0) / (placed.length || 1);
  const cy = placed.reduce((s, n) => s + n.position!.y, 0) / (placed.length || 1);
  const dx = node.position ? node.position.x - cx : 0;
  const dy = node.position ? node.position.y - cy : 0;
  const innerNodes = def.nodes.map((n): GraphNode => {
    const promoted = Object.fromEntries(def.params.filter((p) => p.node === n.id && node.params[p.name] !== undefined).map((p) => [p.param, node.params[p.name]]));
    return {
      ...n, id: rename.get(n.id)!, params: { ...n.params, ...promoted },
      ...(n.position ? { position: { x: n.position.x + dx, y: n.position.y + dy } } : {}),
    };
  });
  const edges: GraphEdge[] = def.edges.map((e) => ({ from: { node: rename.get(e.from.node)!, output: e.from.output }, to: { node: rename.get(e.to.node)!, input: e.to.input } }));
  for (const e of graph.edges) {
    if (e.to.node === nodeId) {
      for (const to of def.inputs.find((i) => i.name === e.to.input)?.to ?? []) edges.push({ from: e.from, to: { node: rename.get(to.node) ?? to.node, input: to.input } });
    } else if (e.from.node === nodeId) {
      const from = def.outputs.find((o) => o.name === e.from.output)?.from;
      if (from) edges.push({ from: { node: rename.get(from.node) ?? from.node, output: from.output }, to: e.to });
    } else {
      edges.push(e);
    }
  }
  const at = graph.nodes.indexOf(node);
  const nodes = [...graph.nodes.slice(0, at), ...innerNodes, ...graph.nodes.slice(at + 1)];
  const stillUsed = (g: { nodes: GraphNode[] }) => g.nodes.some((n) => n.subgraph === node.subgraph);
  const defs = { ...graph.subgraphs };
  if (!stillUsed({ nodes }) && !Object.entries(defs).some(([k, d]) => k !== node.subgraph && stillUsed(d))) delete defs[node.subgraph!];
  return { graph: { ...graph, nodes, edges, subgraphs: defs }, nodeIds: innerNodes.map((n) => n.id) };
}

/** Makes inner param `param` of inner node `inner` a param of subgraph node `nodeId`'s definition (named `param`, suffixed if taken). */
export function promoteParam(graph: Graph, nodeId: string, inner: string, param: string): { graph: Graph; name: string } {
  const node = graph.nodes.find((n) => n.id === nodeId);
  const def = node?.subgraph === undefined ? undefined : graph.subgraphs?.[node.subgraph];
  if (!node || !def) throw new SubgraphEditError(`node "${nodeId}" is not a subgraph node with a definition`);
  if (!def.nodes.some((n) => n.id === inner)) throw new SubgraphEditError(`subgraph "${def.name}" has no inner node "${inner}"`);
  const existing = def.params.find((p) => p.node === inner && p.param === param);
  if (existing) return { graph, name: existing.name };
  const name = unique(param, (s) => def.params.some((p) => p.name === s));
  const next: SubgraphDefinition = { ...def, params: [...def.params, { name, node: inner, param }] };
  return { graph: { ...graph, subgraphs: { ...graph.subgraphs, [node.subgraph!]: next } }, name };
}

/** How the editor draws a subgraph node: its definition's sockets, and its promoted params with the inner params' widgets. */
export function subgraphCatalogNode(def: SubgraphDefinition, catalog: ReadonlyMap<string, CatalogNode>): CatalogNode {
  const params = def.params.flatMap((p) => {
    const inner = def.nodes.find((n) => n.id === p.node);
    const spec = inner && catalog.get(inner.type)?.params.find((s) => s.name === p.param);
    return spec ? [{ name: p.name, default: inner.params[p.param] ?? spec.default, ui: spec.ui }] : [];
  });
  return {
    type: SUBGRAPH_TYPE, version: 1, title: def.name, category: 'utility',
    description: `Subgraph of ${def.nodes.length} node${def.nodes.length === 1 ? '' : 's'}${def.library ? ` (library v${def.library.version})` : ''}: double-click to open`,
    output: def.nodes.some((n) => catalog.get(n.type)?.output),
    inputs: def.inputs.map((i) => ({ name: i.name, type: i.type as CatalogNode['inputs'][number]['type'], optional: false })),
    outputs: def.outputs.map((o) => ({ name: o.name, type: o.type as CatalogNode['outputs'][number]['type'] })),
    params,
  };
}
