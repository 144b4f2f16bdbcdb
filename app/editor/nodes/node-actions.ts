'use client';
// Canvas-node actions that change the graph's shape rather than a param (collapse, a param as an input handle), and the type each reroute
// carries, given by the Canvas so nodes reach them without widening the preview/param services in editor-context.tsx.
import { createContext, useContext } from 'react';

export interface NodeActions {
  toggleCollapsed(nodeId: string): void;
  /** "Convert to input" / "Convert to widget" of one param (nodes/engine/param-inputs.ts). */
  toggleParamInput(nodeId: string, param: string): void;
}

export const NodeActionsContext = createContext<NodeActions | null>(null);

/** Reroute id → the socket type it carries ('' = not known yet); only reroute dots read it. */
export const RerouteTypesContext = createContext<ReadonlyMap<string, string>>(new Map());

/** Null outside an editable canvas (a read-only version shows no collapse button). */
export function useNodeActions(): NodeActions | null {
  return useContext(NodeActionsContext);
}
