'use client';
// A canvas node drawn below SIMPLE_VIEW_ZOOM (viewport-zoom.ts), where widgets are too small to read or hit:
// a large title, its run status, socket dots (the same handles, so wires stay attached) and its preview or outputs.
import { Handle, Position } from '@xyflow/react';
import type { CatalogNode } from '../../nodes/engine/catalog';
import type { ArtifactRef } from '../../nodes/engine/events';
import { artifactUrl, type NodeRunState } from './run-state';
import { socketColor } from './socket-colors';

interface Props {
  id: string;
  def: CatalogNode;
  title: string;
  className: string;
  mode: string;
  run: NodeRunState | undefined;
  /** "running 3/20", "done 1.2 s"… as the full view says it; none while waiting. */
  statusText: string | undefined;
  preview: string | undefined;
  outputs: readonly ArtifactRef[];
}

export function NodeSimpleView({ id, def, title, className, mode, run, statusText, preview, outputs }: Props) {
  const status = run?.status;
  return (
    <div
      className={`${className} graph-node-simple`} data-testid="graph-node" data-view="simple" data-node-type={def.type} data-node-id={id}
      data-run-status={status ?? 'idle'} data-run-step={run?.step ?? ''} data-mode={mode}
    >
      <div className="simple-title" data-testid="node-simple-title" title={def.description}>{title}</div>
      {statusText && <div className={`simple-status node-status-${status}`} data-testid="node-status">{statusText}</div>}
      {run?.total ? <div className="node-progress"><div style={{ width: `${(100 * (run.step ?? 0)) / run.total}%` }} /></div> : null}
      <div className="graph-node-sockets">
        <div className="sockets-in">
          {def.inputs.map((inp) => (
            <div key={inp.name} className="socket socket-in" title={`${inp.name} (${inp.type})`}>
              <Handle type="target" position={Position.Left} id={inp.name} data-socket-type={inp.type} style={{ background: socketColor(inp.type) }} />
            </div>
          ))}
        </div>
        <div className="sockets-out">
          {def.outputs.map((out) => (
            <div key={out.name} className="socket socket-out" title={`${out.name} (${out.type})`}>
              <Handle type="source" position={Position.Right} id={out.name} data-socket-type={out.type} style={{ background: socketColor(out.type) }} />
            </div>
          ))}
        </div>
      </div>
      {preview && !outputs.length && <img className="node-preview" data-testid="node-preview" src={preview} alt={`preview step ${run?.step ?? ''}`} />}
      {outputs.map((a) => (
        <img key={a.id ?? a.filename} className="node-output-simple" data-testid="output-image" src={artifactUrl(a)} alt={a.filename} width={a.width} height={a.height} />
      ))}
    </div>
  );
}
