'use client';
// A wire as the canvas draws it: React Flow's bezier edge (hit stroke and line, below nodes as usual) plus a copy of
// the line above nodes that takes no pointer, so a wire crossing a node shows there; useWireUnderNode.ts gives it the
// clicks on the node's body there, while the node's controls and sockets keep theirs. The copies are drawn together
// in one SVG above the nodes (WireOverlay): one SVG per wire made a 300-node graph pan and zoom at half the frame rate.
import { createContext, memo, useContext, useEffect, useState, type CSSProperties } from 'react';
import { BaseEdge, getBezierPath, ViewportPortal, type EdgeProps } from '@xyflow/react';
import { createStore, useStore, type StoreApi } from 'zustand';

/** Above every node: React Flow lifts selected nodes by 1000 (elevateNodesOnSelect). */
export const WIRE_Z = 1001;

interface OverWire {
  d: string;
  style?: CSSProperties;
}

type WireOverlayStore = StoreApi<{ wires: ReadonlyMap<string, OverWire> }>;

const WireOverlayContext = createContext<WireOverlayStore | null>(null);

/** One store per canvas: each WireEdge writes its path there, WireOverlay draws them all. */
export function useWireOverlayStore(): WireOverlayStore {
  const [store] = useState(() => createStore<{ wires: ReadonlyMap<string, OverWire> }>()(() => ({ wires: new Map() })));
  return store;
}

export const WireOverlayProvider = WireOverlayContext.Provider;

function WireEdgeImpl(p: EdgeProps) {
  const [path] = getBezierPath(p);
  const overlay = useContext(WireOverlayContext);
  useEffect(() => {
    if (!overlay) return;
    overlay.setState((s) => ({ wires: new Map(s.wires).set(p.id, { d: path, style: p.style }) }));
    return () => overlay.setState((s) => {
      const wires = new Map(s.wires);
      wires.delete(p.id);
      return { wires };
    });
  }, [overlay, p.id, path, p.style]);
  return <BaseEdge id={p.id} path={path} style={p.style} markerEnd={p.markerEnd} markerStart={p.markerStart} interactionWidth={p.interactionWidth} />;
}

export const WireEdge = memo(WireEdgeImpl);

/** Every wire's copy above the nodes, in one SVG inside the viewport (it pans and zooms with it). */
export function WireOverlay() {
  const store = useContext(WireOverlayContext);
  if (!store) throw new Error('WireOverlay needs a WireOverlayProvider');
  const wires = useStore(store, (s) => s.wires);
  return (
    <ViewportPortal>
      <svg className="wire-over-nodes" style={{ position: 'absolute', left: 0, top: 0, overflow: 'visible', pointerEvents: 'none', zIndex: WIRE_Z }}>
        {[...wires].map(([id, w]) => <path key={id} data-wire={id} d={w.d} fill="none" style={w.style} />)}
      </svg>
    </ViewportPortal>
  );
}
