'use client';
// Inside an opened subgraph: an inner node's unwired input or its output becomes a new socket of the subgraph node,
// and a socket no wire uses outside goes (the engine's pure edits, nodes/engine/subgraph-sockets.ts). Part of
// useSubgraphLevels. Definitions are not in the canvas snapshots, so the open definition's sockets and promoted
// params ride along in each undo step of its level (`socketSnapshot` / `restoreSockets`).
import { useCallback, type MutableRefObject } from 'react';
import type { Graph, SubgraphDefinition } from '../../../nodes/engine/graph';
import type { CatalogNode } from '../../../nodes/engine/catalog';
import { exposeInput, exposeOutput, removeSocket as removeDefinitionSocket, type SocketSide } from '../../../nodes/engine/subgraph-sockets';
import { commitLevel, composeLevels, type Definitions, type Level } from './levels';

interface LevelState {
  levels: MutableRefObject<Level[]>;
  defs: MutableRefObject<Definitions>;
  setDefinitions(d: Definitions): void;
  /** The level on screen as a graph. */
  level(): Graph;
  record(): void;
  catalog: ReadonlyMap<string, CatalogNode>;
}

/** What an undo step keeps of the open definition. */
export interface SocketSnapshot {
  key: string;
  sockets: Pick<SubgraphDefinition, 'inputs' | 'outputs' | 'params'>;
}

export function useSubgraphSockets({ levels, defs, setDefinitions, level, record, catalog }: LevelState) {
  /** The open level and inner id of `shownNodeId`, with every definition written up to date. */
  const open = useCallback((shownNodeId?: string) => {
    const top = levels.current.at(-1);
    if (!top) throw new Error('open a subgraph to change its sockets');
    const prefix = `${top.nodeId}/`;
    if (shownNodeId !== undefined && !shownNodeId.startsWith(prefix)) throw new Error(`node "${shownNodeId}" is not inside the open subgraph`);
    return { top, inner: shownNodeId?.slice(prefix.length) ?? '', committed: commitLevel(level(), levels.current, defs.current) };
  }, [defs, level, levels]);

  /** Socket `socket` of inner node `shownNodeId` (as the canvas shows it) as a new socket of the subgraph node; undoable. */
  const exposeSocket = useCallback((shownNodeId: string, side: SocketSide, socket: string): { name: string } | { error: string } => {
    try {
      const { top, inner, committed } = open(shownNodeId);
      const graph = { ...top.outer, subgraphs: committed };
      const r = (side === 'input' ? exposeInput : exposeOutput)(graph, top.key, inner, socket, catalog);
      if (r.graph !== graph) {
        record();
        setDefinitions(r.graph.subgraphs ?? committed);
      }
      return { name: r.name };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }, [catalog, open, record, setDefinitions]);

  /** Removes the open subgraph's socket `name` unless a wire uses it anywhere in the workflow; undoable. */
  const removeSocket = useCallback((side: SocketSide, name: string): { error: string } | null => {
    try {
      const { top, committed } = open();
      const whole = composeLevels(level(), levels.current, defs.current);
      const next = removeDefinitionSocket(whole, top.key, side, name).subgraphs![top.key];
      record();
      setDefinitions({ ...committed, [top.key]: { ...committed[top.key], inputs: next.inputs, outputs: next.outputs } });
      return null;
    } catch (e) {
      return { error: (e as Error).message };
    }
  }, [defs, level, levels, open, record, setDefinitions]);

  const socketSnapshot = useCallback((): SocketSnapshot | undefined => {
    const top = levels.current.at(-1);
    const def = top && defs.current[top.key];
    return def ? { key: top.key, sockets: { inputs: def.inputs, outputs: def.outputs, params: def.params } } : undefined;
  }, [defs, levels]);

  const restoreSockets = useCallback((s: SocketSnapshot | undefined) => {
    const def = s && defs.current[s.key];
    if (def) setDefinitions({ ...defs.current, [s.key]: { ...def, ...s.sockets } });
  }, [defs, setDefinitions]);

  return { exposeSocket, removeSocket, socketSnapshot, restoreSockets };
}
