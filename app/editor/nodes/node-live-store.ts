'use client';
// Live run data for the canvas nodes (run state and progress, preview frames, output images) in a zustand store that
// each node reads through selectors of its own id: a preview frame re-renders its node only. (One React context for
// all of it re-rendered every node at the preview rate.) The editor writes it; nodes only read.
import { createContext, useContext, useLayoutEffect, useState } from 'react';
import { createStore, useStore, type StoreApi } from 'zustand';
import type { ArtifactRef } from '../../../nodes/engine/events';
import type { NodeRunState } from '../run/run-state';

export interface NodeLiveState {
  /** The shown run's state per node (status, step/total, ms, message). */
  runNodes: Readonly<Record<string, NodeRunState>>;
  /** Blob URL of each node's newest preview frame. */
  previews: Readonly<Record<string, string>>;
  artifactsByNode: ReadonlyMap<string, readonly ArtifactRef[]>;
}

export type NodeLiveStore = StoreApi<NodeLiveState>;

export const NodeLiveContext = createContext<NodeLiveStore | null>(null);

/** One store per editor, kept equal to `live` (written before the browser paints, so nodes never lag a frame). */
export function useNodeLiveStore(live: NodeLiveState): NodeLiveStore {
  const [store] = useState(() => createStore<NodeLiveState>()(() => live));
  const { runNodes, previews, artifactsByNode } = live;
  useLayoutEffect(() => {
    const s = store.getState();
    // Only what changed: an unchanged field keeps its identity, and so do the node values read from it.
    if (s.runNodes !== runNodes || s.previews !== previews || s.artifactsByNode !== artifactsByNode) {
      store.setState({ runNodes, previews, artifactsByNode });
    }
  }, [store, runNodes, previews, artifactsByNode]);
  return store;
}

function useLive<T>(select: (s: NodeLiveState) => T): T {
  const store = useContext(NodeLiveContext);
  if (!store) throw new Error('canvas nodes must render inside the editor (NodeLiveContext missing)');
  return useStore(store, select);
}

const NO_ARTIFACTS: readonly ArtifactRef[] = [];

/** This node's run state: the same object until the run reducer changes this node (run-state.ts `withNode`). */
export function useNodeRun(nodeId: string): NodeRunState | undefined {
  return useLive((s) => s.runNodes[nodeId]);
}

export function useNodePreview(nodeId: string): string | undefined {
  return useLive((s) => s.previews[nodeId]);
}

export function useNodeArtifacts(nodeId: string): readonly ArtifactRef[] {
  return useLive((s) => s.artifactsByNode.get(nodeId)) ?? NO_ARTIFACTS;
}
