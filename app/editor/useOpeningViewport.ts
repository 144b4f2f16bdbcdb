'use client';
// Sets where the canvas opens once React Flow has measured its nodes: the whole graph when it fits at a legible zoom,
// else its start at LEGIBLE_ZOOM (viewport-zoom.ts). Only once per canvas: nodes added later do not move the view.
import { useLayoutEffect, useRef } from 'react';
import { useNodesInitialized, useReactFlow, useStore, useStoreApi, type ReactFlowState } from '@xyflow/react';
import { openingViewport } from './viewport-zoom';

const hasSize = (s: ReactFlowState) => s.width > 0 && s.height > 0;

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
