'use client';
// A wire as the canvas draws it: React Flow's bezier edge (hit stroke and line, below nodes as usual) plus a copy of
// the line above nodes that takes no pointer, so a wire crossing a node shows there; useWireUnderNode.ts gives it the
// clicks on the node's body there, while the node's controls and sockets keep theirs.
import { memo } from 'react';
import { BaseEdge, getBezierPath, ViewportPortal, type EdgeProps } from '@xyflow/react';

/** Above every node: React Flow lifts selected nodes by 1000 (elevateNodesOnSelect). */
export const WIRE_Z = 1001;

function WireEdgeImpl(p: EdgeProps) {
  const [path] = getBezierPath(p);
  return (
    <>
      <BaseEdge id={p.id} path={path} style={p.style} markerEnd={p.markerEnd} markerStart={p.markerStart} interactionWidth={p.interactionWidth} />
      <ViewportPortal>
        <svg className="wire-over-nodes" data-wire={p.id} style={{ position: 'absolute', left: 0, top: 0, overflow: 'visible', pointerEvents: 'none', zIndex: WIRE_Z }}>
          <path d={path} fill="none" style={p.style} />
        </svg>
      </ViewportPortal>
    </>
  );
}

export const WireEdge = memo(WireEdgeImpl);
