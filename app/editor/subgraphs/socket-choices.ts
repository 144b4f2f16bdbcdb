// What an inner node's menu offers for the opened subgraph's sockets (pure): its inputs no wire feeds (inside or
// from a socket already) can become input sockets, its outputs not offered yet output sockets, and the sockets that
// stand for its own can be removed.
import type { SubgraphDefinition } from '../../../nodes/engine/graph';
import type { SocketSide } from '../../../nodes/engine/subgraph-sockets';

export interface SocketChoices {
  inputs: string[];
  outputs: string[];
  exposed: { side: SocketSide; name: string }[];
}

export function socketChoices(
  def: SubgraphDefinition, inner: string, sockets: { inputs: readonly { name: string }[]; outputs: readonly { name: string }[] },
  wiredInputs: ReadonlySet<string>,
): SocketChoices {
  const fed = new Set(def.inputs.flatMap((i) => i.to.filter((t) => t.node === inner).map((t) => t.input)));
  const offered = new Set(def.outputs.filter((o) => o.from.node === inner).map((o) => o.from.output));
  return {
    inputs: sockets.inputs.map((i) => i.name).filter((n) => !fed.has(n) && !wiredInputs.has(n)),
    outputs: sockets.outputs.map((o) => o.name).filter((n) => !offered.has(n)),
    exposed: [
      ...def.inputs.filter((i) => i.to.some((t) => t.node === inner)).map((i) => ({ side: 'input' as const, name: i.name })),
      ...def.outputs.filter((o) => o.from.node === inner).map((o) => ({ side: 'output' as const, name: o.name })),
    ],
  };
}
