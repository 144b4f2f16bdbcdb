'use client';
// The editor's subgraphs: the definitions (every one made this session is kept, so undoing an unpack or a convert
// finds its definition again; only used ones are saved), the opened levels (breadcrumb), and the actions: convert the
// selection, unpack, open, go back. Part of useGraphEditor (one undo history); the graph edits are the engine's
// pure ones (nodes/engine/subgraph-edit.ts).
import { useCallback, useMemo, useRef, useState, type MutableRefObject } from 'react';
import type { XYPosition } from '@xyflow/react';
import type { Graph, SubgraphDefinition } from '../../../nodes/engine/graph';
import { installBundle } from '../../../nodes/engine/library-bundle';
import { SUBGRAPH_TYPE } from '../../../nodes/engine/subgraph';
import type { CatalogNode } from '../../../nodes/engine/catalog';
import { convertToSubgraph, promoteParam, subgraphCatalogNode, unpackSubgraph } from '../../../nodes/engine/subgraph-edit';
import { flowToGraph, freshNodeId, graphNodeToFlow, graphToFlow, type FlowEdge, type FlowGroup, type FlowNode } from '../editing/graph-mapping';
import { commitLevel, composeLevels, definitionToLevel, seedsOnLevel, type Definitions, type Level } from './levels';
import { definitionsWithSeeds, withSeeds, type SeedAdvance } from '../run/seed-advance';
import { useSubgraphSockets } from './useSubgraphSockets';

interface EditorState {
  latest: MutableRefObject<{ nodes: FlowNode[]; edges: FlowEdge[]; groups: FlowGroup[] }>;
  setNodes(ns: FlowNode[]): void;
  setEdges(es: FlowEdge[]): void;
  setGroups(gs: FlowGroup[]): void;
  record(): void;
  /** Each level keeps its own undo history: its snapshots are of its own nodes. */
  swapHistory(next?: unknown): unknown;
  catalog: ReadonlyMap<string, CatalogNode>;
}

export function useSubgraphLevels(initial: Graph, ed: EditorState) {
  const [definitions, setDefinitionsState] = useState<Definitions>(() => initial.subgraphs ?? {});
  const [path, setPathState] = useState<Level[]>([]);
  const defs = useRef(definitions);
  const levels = useRef(path);
  const setDefinitions = useCallback((d: Definitions) => { defs.current = d; setDefinitionsState(d); }, []);
  const setPath = useCallback((p: Level[]) => { levels.current = p; setPathState(p); }, []);
  const { latest, setNodes, setEdges, setGroups, record, swapHistory, catalog } = ed;

  /** The level on screen as a graph, with every definition (what the pure edits work on). */
  const level = useCallback((): Graph => {
    const { nodes, edges, groups } = latest.current;
    return { ...flowToGraph(nodes, edges, undefined, groups), subgraphs: defs.current };
  }, [latest]);

  /** The whole workflow whatever level is on screen (save, run, validation). */
  const compose = useCallback((current: Graph): Graph => composeLevels(current, path, definitions), [path, definitions]);
  const composeNow = useCallback((current: Graph): Graph => composeLevels(current, levels.current, defs.current), []);

  const show = useCallback((g: Graph, select?: ReadonlySet<string>) => {
    const f = graphToFlow(g);
    setNodes(select ? f.nodes.map((n) => (select.has(n.id) ? { ...n, selected: true } : n)) : f.nodes);
    setEdges(f.edges);
    setGroups(f.groups);
  }, [setNodes, setEdges, setGroups]);

  /** Moves the given nodes (default: the selected ones) into a new subgraph node; undoable. Returns its id, or an error. */
  const convertSelection = useCallback((ids?: readonly string[], name?: string): { nodeId: string } | { error: string } => {
    const chosen = ids ?? latest.current.nodes.filter((n) => n.selected).map((n) => n.id);
    try {
      const r = convertToSubgraph(level(), chosen, catalog, { name });
      record();
      setDefinitions(r.graph.subgraphs ?? {});
      show(r.graph, new Set([r.nodeId]));
      return { nodeId: r.nodeId };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }, [catalog, level, record, setDefinitions, show, latest]);

  /** Puts a subgraph node's inner nodes back in its place; undoable (the definition is kept for undo). */
  const unpack = useCallback((nodeId: string): { error: string } | null => {
    try {
      const r = unpackSubgraph(level(), nodeId);
      record();
      show({ ...r.graph, groups: level().groups }, new Set(r.nodeIds));
      return null;
    } catch (e) {
      return { error: (e as Error).message };
    }
  }, [level, record, show]);

  /** Shows subgraph node `nodeId`'s inside (double-click); the breadcrumb leads back. Each level has its own undo history. */
  const open = useCallback((nodeId: string) => {
    const node = latest.current.nodes.find((n) => n.id === nodeId);
    const key = node?.data.subgraph;
    const committed = commitLevel(level(), levels.current, defs.current);
    const def = key === undefined ? undefined : committed[key];
    if (!def) return;
    setDefinitions(committed);
    setPath([...levels.current, { nodeId, key: key!, name: def.name, outer: level(), history: swapHistory() }]);
    show(definitionToLevel(def, nodeId));
  }, [swapHistory, latest, level, setDefinitions, setPath, show]);

  /** Back to depth `depth` (0 = the workflow), writing the edits made inside into the definitions. */
  const back = useCallback((depth: number) => {
    const p = levels.current;
    if (depth >= p.length) return;
    setDefinitions(commitLevel(level(), p, defs.current));
    setPath(p.slice(0, depth));
    swapHistory(p[depth].history);
    show(p[depth].outer);
  }, [swapHistory, level, setDefinitions, setPath, show]);

  /** A whole new workflow graph (restore, import): back at the top, its definitions added to the known ones. */
  const reset = useCallback((g: Graph) => {
    if (levels.current.length) swapHistory(levels.current[0].history);
    setPath([]);
    setDefinitions({ ...defs.current, ...g.subgraphs });
  }, [setDefinitions, setPath, swapHistory]);

  /**
   * A library subgraph as a new node at `position` (the palette), its definition copied in and pinned to `pin`, with
   * the nested definitions it carries (`nested`, added under keys free in this workflow); the same library version
   * already in the workflow is shared rather than copied twice. Undoable. Returns the node id.
   */
  const addSubgraph = useCallback((definition: SubgraphDefinition, position: XYPosition, pin?: SubgraphDefinition['library'], nested: Record<string, SubgraphDefinition> = {}): string => {
    const all = defs.current;
    const existing = pin && Object.entries(all).find(([, d]) => d.library?.id === pin.id && d.library.version === pin.version)?.[0];
    record();
    let key = existing;
    if (!key) {
      const next = withBundle(all, definition, nested, pin);
      key = next.key;
      setDefinitions(next.subgraphs);
    }
    const id = freshNodeId('subgraph', new Set(latest.current.nodes.map((n) => n.id)));
    const node = graphNodeToFlow({ id, type: SUBGRAPH_TYPE, typeVersion: 1, params: {}, subgraph: key }, position);
    setNodes([...latest.current.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), { ...node, selected: true }]);
    return id;
  }, [latest, record, setDefinitions, setNodes]);

  /**
   * Points the nodes on the canvas using definition `key` at `definition` instead (a library update, or the pin after
   * saving), stored under a new key so that undo, which restores nodes, brings the old definition back too; `nested`
   * are the definitions it carries (a library version's), added under keys free in this workflow.
   */
  const replaceDefinition = useCallback((key: string, definition: SubgraphDefinition, nested: Record<string, SubgraphDefinition> = {}) => {
    const next = withBundle(defs.current, definition, nested);
    record();
    setDefinitions(next.subgraphs);
    setNodes(latest.current.nodes.map((n) => (n.data.subgraph === key ? { ...n, data: { ...n.data, subgraph: next.key } } : n)));
  }, [latest, record, setDefinitions, setNodes]);

  /**
   * Inside an opened subgraph: param `param` of inner node `shownNodeId` (as the canvas shows it, `<subgraph>/<inner>`)
   * becomes a param of the subgraph node, drawn and edited there. Returns the promoted param's name, or an error.
   */
  const promote = useCallback((shownNodeId: string, param: string): { name: string } | { error: string } => {
    const top = levels.current.at(-1);
    if (!top) return { error: 'open a subgraph to promote the params of its nodes' };
    const prefix = `${top.nodeId}/`;
    if (!shownNodeId.startsWith(prefix)) return { error: `node "${shownNodeId}" is not inside the open subgraph` };
    try {
      const committed = commitLevel(level(), levels.current, defs.current);
      const r = promoteParam({ ...top.outer, subgraphs: committed }, top.nodeId, shownNodeId.slice(prefix.length), param);
      if (r.graph.subgraphs !== committed) record();
      setDefinitions(r.graph.subgraphs ?? committed);
      return { name: r.name };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }, [level, record, setDefinitions]);

  const sockets = useSubgraphSockets({ levels, defs, setDefinitions, level, record, catalog });

  /**
   * A run's seed advances (increment / randomize) written where each widget is: the canvas, the levels the breadcrumb
   * leads back to, and the definitions (inner nodes and promoted defaults). Not an edit: no undo step.
   */
  const advanceSeeds = useCallback((advances: readonly SeedAdvance[]) => {
    if (!advances.length) return;
    const p = levels.current;
    if (advances.some((a) => a.subgraph !== undefined)) setDefinitions(definitionsWithSeeds(defs.current, advances));
    if (p.length) setPath(p.map((l, i) => ({ ...l, outer: withSeeds(l.outer, seedsOnLevel(advances, p[i - 1])) })));
    const shown = seedsOnLevel(advances, p.at(-1));
    if (!shown.length) return;
    setNodes(latest.current.nodes.map((n) => {
      const mine = shown.filter((a) => a.nodeId === n.id);
      return mine.length ? { ...n, data: { ...n.data, params: { ...n.data.params, ...Object.fromEntries(mine.map((a) => [a.param, a.value])) } } } : n;
    }));
  }, [latest, setDefinitions, setNodes, setPath]);

  /** How each definition is drawn (GraphNodeView): its sockets and promoted params. */
  const subgraphNodes = useMemo(
    () => new Map(Object.entries(definitions).map(([k, d]) => [k, subgraphCatalogNode(d, catalog)])),
    [definitions, catalog],
  );

  return { ...sockets, subgraphs: definitions, subgraphPath: path, subgraphNodes, compose, composeNow, convertSelection, addSubgraph, replaceDefinition, unpackSubgraph: unpack, promoteParam: promote, advanceSeeds, openSubgraph: open, subgraphBack: back, resetSubgraphs: reset, setDefinitions };
}

/** `all` with a library bundle installed (nested definitions first, under free keys) and the key of its definition. */
function withBundle(all: Record<string, SubgraphDefinition>, definition: SubgraphDefinition, nested: Record<string, SubgraphDefinition>, pin?: SubgraphDefinition['library']) {
  const installed = installBundle({ definition, subgraphs: nested }, all);
  let key = 'subgraph';
  for (let i = 2; key in installed.subgraphs; i++) key = `subgraph_${i}`;
  return { key, subgraphs: { ...installed.subgraphs, [key]: pin ? { ...installed.definition, library: pin } : installed.definition } };
}
