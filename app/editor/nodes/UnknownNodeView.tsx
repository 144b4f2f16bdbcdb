'use client';
// A node whose type this server does not know (e.g. a graph from a newer version): it keeps its
// wires visible, with handles taken from its edges, and says what to do.
import { Handle, Position, useNodeConnections } from '@xyflow/react';

export function UnknownNodeView({ id, type, title, className }: { id: string; type: string; title?: string; className: string }) {
  const incoming = useNodeConnections({ id, handleType: 'target' });
  const outgoing = useNodeConnections({ id, handleType: 'source' });
  const inputs = [...new Set(incoming.map((c) => c.targetHandle ?? ''))];
  const outputs = [...new Set(outgoing.map((c) => c.sourceHandle ?? ''))];
  return (
    <div className={className} data-testid="graph-node" data-node-type={type} data-node-id={id} data-run-status="idle">
      <div className="graph-node-header"><span className="graph-node-title">{title ?? type}</span></div>
      <div className="graph-node-sockets">
        <div className="sockets-in">
          {inputs.map((name) => (
            <div key={name} className="socket socket-in"><Handle type="target" position={Position.Left} id={name} /><span>{name}</span></div>
          ))}
        </div>
        <div className="sockets-out">
          {outputs.map((name) => (
            <div key={name} className="socket socket-out"><span>{name}</span><Handle type="source" position={Position.Right} id={name} /></div>
          ))}
        </div>
      </div>
      <div className="node-error" data-testid="node-error">
        Unknown node type “{type}”. This server does not provide it: delete the node or update StepFlow.
      </div>
    </div>
  );
}
