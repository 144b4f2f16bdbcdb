// What a subgraph node's promoted param holds when the node itself does not set it: the inner node's own value
// (through nested subgraph nodes' promoted params), as flattening would leave it. Seed controls start from it.
import type { Graph, GraphNode } from './graph';
import { isSubgraph, MAX_SUBGRAPH_DEPTH } from './subgraph';

/** `node.params[param]`, or for a subgraph node's unset promoted param the inner value it stands for (undefined: none). */
export function effectiveParam(node: GraphNode, param: string, defs: Graph['subgraphs']): unknown {
  let at = node;
  let name = param;
  for (let depth = 0; depth <= MAX_SUBGRAPH_DEPTH; depth++) {
    if (at.params[name] !== undefined || !isSubgraph(at)) return at.params[name];
    const def = at.subgraph === undefined ? undefined : defs?.[at.subgraph];
    const promoted = def?.params.find((p) => p.name === name);
    const inner = promoted && def!.nodes.find((n) => n.id === promoted.node);
    if (!inner) return undefined;
    at = inner;
    name = promoted.param;
  }
  return undefined;
}
