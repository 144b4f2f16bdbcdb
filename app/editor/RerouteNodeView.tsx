'use client';
// A reroute on the canvas: a small dot with one input and one output, coloured by the socket type it carries
// (its source's, else what it feeds: nodes/engine/reroute.ts).
import { Handle, Position, useStore, type ReactFlowState } from '@xyflow/react';
import { rerouteType } from '../../nodes/engine/reroute';
import type { CatalogNode } from '../../nodes/engine/catalog';
import { flowEdgeToGraph, type FlowNode } from './graph-mapping';
import { socketColor } from './socket-colors';

export function RerouteNodeView({ id, selected, problems, catalog }: {
  id: string; selected: boolean; problems: readonly { message: string }[]; catalog: ReadonlyMap<string, CatalogNode>;
}) {
  // A string selector: the dot re-renders only when its type changes, not on every drag frame.
  const type = useStore((s: ReactFlowState) => rerouteType(
    { nodes: [...s.nodeLookup.values()].map((n) => ({ id: n.id, type: (n.data as FlowNode['data']).type })), edges: s.edges.map(flowEdgeToGraph) },
    catalog, id,
  ) ?? '');
  const colour = socketColor(type || undefined);
  return (
    <div
      className={`reroute-node${selected ? ' selected' : ''}${problems.length ? ' has-problems' : ''}`}
      data-testid="graph-node" data-node-type="reroute" data-node-id={id} data-socket-type={type}
      title={problems.map((p) => p.message).join('\n') || `Reroute${type ? ` (${type})` : ''}`}
      style={{ background: colour }}
    >
      <Handle type="target" position={Position.Left} id="input" data-socket-type={type || 'ANY'} />
      <Handle type="source" position={Position.Right} id="output" data-socket-type={type || 'ANY'} />
    </div>
  );
}
