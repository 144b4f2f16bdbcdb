// A subgraph definition's sockets after it was made (the editor's menu on an inner node, inside the opened
// subgraph): an inner input no wire feeds becomes a new input socket, an inner output a new output socket, and a
// socket that no node of the definition has wired, anywhere in the workflow, can go. Pure graph → graph.
import type { CatalogNode } from './catalog';
import type { Graph, GraphNode, SubgraphDefinition } from './graph';
import { nodeSockets, SubgraphEditError, unique } from './subgraph-edit';

export type SocketSide = 'input' | 'output';

function definition(graph: Graph, key: string): SubgraphDefinition {
  const def = graph.subgraphs?.[key];
  if (!def) throw new SubgraphEditError(`the graph has no subgraph definition "${key}"`);
  return def;
}

function innerNode(def: SubgraphDefinition, inner: string): GraphNode {
  const node = def.nodes.find((n) => n.id === inner);
  if (!node) throw new SubgraphEditError(`subgraph "${def.name}" has no inner node "${inner}"`);
  return node;
}

const withDefinition = (graph: Graph, key: string, def: SubgraphDefinition): Graph => ({ ...graph, subgraphs: { ...graph.subgraphs, [key]: def } });

/** Inner input `input` of node `inner` fed from outside through a new input socket of definition `key` (named after it). */
export function exposeInput(graph: Graph, key: string, inner: string, input: string, catalog: ReadonlyMap<string, CatalogNode>): { graph: Graph; name: string } {
  const def = definition(graph, key);
  const socket = nodeSockets(innerNode(def, inner), graph, catalog).inputs.find((i) => i.name === input);
  if (!socket) throw new SubgraphEditError(`inner node "${inner}" of subgraph "${def.name}" has no input "${input}"`);
  const already = def.inputs.find((i) => i.to.some((t) => t.node === inner && t.input === input));
  if (already) return { graph, name: already.name };
  if (def.edges.some((e) => e.to.node === inner && e.to.input === input)) {
    throw new SubgraphEditError(`input "${input}" of inner node "${inner}" is wired inside the subgraph: remove that wire to feed it from outside`);
  }
  const name = unique(input, (s) => def.inputs.some((i) => i.name === s));
  const inputs = [...def.inputs, { name, type: socket.type, to: [{ node: inner, input }] }];
  return { graph: withDefinition(graph, key, { ...def, inputs }), name };
}

/** Inner output `output` of node `inner` offered outside as a new output socket of definition `key` (named after it). */
export function exposeOutput(graph: Graph, key: string, inner: string, output: string, catalog: ReadonlyMap<string, CatalogNode>): { graph: Graph; name: string } {
  const def = definition(graph, key);
  const socket = nodeSockets(innerNode(def, inner), graph, catalog).outputs.find((o) => o.name === output);
  if (!socket) throw new SubgraphEditError(`inner node "${inner}" of subgraph "${def.name}" has no output "${output}"`);
  const already = def.outputs.find((o) => o.from.node === inner && o.from.output === output);
  if (already) return { graph, name: already.name };
  const name = unique(output, (s) => def.outputs.some((o) => o.name === s));
  const outputs = [...def.outputs, { name, type: socket.type, from: { node: inner, output } }];
  return { graph: withDefinition(graph, key, { ...def, outputs }), name };
}

/** Removes socket `name` of definition `key`; refused while a wire uses it on any node of that definition. */
export function removeSocket(graph: Graph, key: string, side: SocketSide, name: string): Graph {
  const def = definition(graph, key);
  const list = side === 'input' ? def.inputs : def.outputs;
  if (!list.some((s) => s.name === name)) throw new SubgraphEditError(`subgraph "${def.name}" has no ${side} "${name}"`);
  for (const level of [graph, ...Object.values(graph.subgraphs ?? {})]) {
    const users = new Set(level.nodes.filter((n) => n.subgraph === key).map((n) => n.id));
    const wired = level.edges.find((e) => (side === 'input' ? users.has(e.to.node) && e.to.input === name : users.has(e.from.node) && e.from.output === name));
    if (wired) {
      const where = side === 'input' ? wired.to.node : wired.from.node;
      throw new SubgraphEditError(`${side} "${name}" of subgraph "${def.name}" is wired on node "${where}": remove that wire first`);
    }
  }
  const next = side === 'input' ? { ...def, inputs: def.inputs.filter((i) => i.name !== name) } : { ...def, outputs: def.outputs.filter((o) => o.name !== name) };
  return withDefinition(graph, key, next);
}
