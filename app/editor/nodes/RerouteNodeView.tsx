'use client';
// A reroute on the canvas: a small dot with one input and one output, coloured by the socket type it carries
// (its source's, else what it feeds: nodes/engine/reroute.ts).
import { useContext } from 'react';
import { Handle, Position } from '@xyflow/react';
import { RerouteTypesContext } from './node-actions';
import { socketColor } from '../canvas/socket-colors';

export function RerouteNodeView({ id, selected, problems }: { id: string; selected: boolean; problems: readonly { message: string }[] }) {
  // Worked out once per wiring change by the Canvas (nodes/engine/reroute.ts), not per dot per drag frame.
  const type = useContext(RerouteTypesContext).get(id) ?? '';
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
