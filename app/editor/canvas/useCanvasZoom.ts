'use client';
// The canvas's zoom behaviour: where it opens (once React Flow has measured its nodes: the whole graph when it fits
// at a legible zoom, else its start at LEGIBLE_ZOOM; nodes added later do not move the view), and whether nodes draw
// their simplified view (viewport-zoom.ts).
import { useLayoutEffect, useRef } from 'react';
import { useNodesInitialized, useReactFlow, useStore, useStoreApi, type ReactFlowState } from '@xyflow/react';
import { openingViewport, SIMPLE_VIEW_ZOOM } from './viewport-zoom';

const hasSize = (s: ReactFlowState) => s.width > 0 && s.height > 0;
const zoomedOut = (s: ReactFlowState) => s.transform[2] < SIMPLE_VIEW_ZOOM;

/**
 * True below SIMPLE_VIEW_ZOOM. The canvas turns it into one class and CSS draws every node simplified at its same size
 * (large title, socket dots, preview; app/globals.css): crossing the threshold re-renders and re-measures no node,
 * which on a 300-node graph took seconds when each node swapped its widgets for another component.
 */
export function useZoomedOut(): boolean {
  return useStore(zoomedOut);
}

export function useOpeningViewport(): void {
  const flow = useReactFlow();
  const store = useStoreApi();
  const measured = useNodesInitialized();
  const sized = useStore(hasSize);
  const done = useRef(false);
  useLayoutEffect(() => {
    if (done.current || !sized) return;
    const { width, height, nodes } = store.getState();
    // An empty canvas (a draft) opens as it is: its first node must not move the view under the hand placing it.
    if (nodes.length && !measured) return;
    done.current = true;
    if (!nodes.length) return;
    void flow.setViewport(openingViewport(flow.getNodesBounds(nodes), { width, height }));
  }, [measured, sized, flow, store]);
}
