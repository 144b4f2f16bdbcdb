'use client';
// The editor's graph state: React Flow nodes/edges plus every edit operation (add, connect with
// replacement, params, copy/paste, duplicate, select-all, collapse, reroutes, wire removal) with undo/redo
// recorded before each change. Group frames live here too (one undo history); their edits are in groups/useGroupActions.ts.
import { useCallback, useMemo, useRef, useState } from 'react';
import { useEdgesState, useNodesState, type Connection, type XYPosition } from '@xyflow/react';
import type { Graph } from '../../../nodes/engine/graph';
import type { CatalogNode } from '../../../nodes/engine/catalog';
import { checkConnection } from '../../../nodes/engine/validate';
import { fragmentOf, instantiateFragment, type GraphFragment } from './clipboard';
import {
  flowEdgeToGraph, flowNodeToGraph, flowToGraph, freshNodeId, graphEdgeToFlow, graphNodeToFlow, graphToFlow,
  type FlowEdge, type FlowGroup, type FlowNode, type FlowNodeData, type SeedControl,
} from './graph-mapping';
import { UndoHistory } from '../document/history';
import { defaultControls } from '../run/seed-advance';
import { useSubgraphLevels } from '../subgraphs/useSubgraphLevels';
import type { SocketSnapshot } from '../subgraphs/useSubgraphSockets';

export const GRID = 20;
/** `sockets`: inside an opened subgraph, its definition's sockets and promoted params (not canvas state). */
interface Snapshot { nodes: FlowNode[]; edges: FlowEdge[]; groups: FlowGroup[]; sockets?: SocketSnapshot }

const snap = (p: XYPosition): XYPosition => ({ x: Math.round(p.x / GRID) * GRID, y: Math.round(p.y / GRID) * GRID });

export function useGraphEditor(initial: Graph, catalog: ReadonlyMap<string, CatalogNode>) {
  const init = useMemo(() => graphToFlow(initial), [initial]);
  const [nodes, setNodes, onNodesChange] = useNodesState<FlowNode>(init.nodes);
  const [edges, setEdges, onEdgesChange] = useEdgesState<FlowEdge>(init.edges);
  const [groups, setGroups] = useState<FlowGroup[]>(init.groups);
  const latest = useRef<Snapshot>({ nodes, edges, groups });
  latest.current = { nodes, edges, groups };
  const history = useRef(new UndoHistory<Snapshot>());
  const lastParamEdit = useRef<{ key: string; at: number } | null>(null);
  // The open subgraph's sockets (set below, once the subgraph part exists).
  const levelSockets = useRef<{ take(): SocketSnapshot | undefined; put(s: SocketSnapshot | undefined): void }>({ take: () => undefined, put: () => {} });

  const record = useCallback(() => {
    const { nodes: ns, edges: es, groups: gs } = latest.current;
    history.current.record({
      nodes: ns.map((n) => ({ ...n, selected: false })), edges: es.map((e) => ({ ...e, selected: false })),
      groups: gs.map((g) => ({ ...g, selected: false })), sockets: levelSockets.current.take(),
    });
    lastParamEdit.current = null;
  }, []);

  const restore = useCallback((s: Snapshot | undefined) => {
    if (!s) return;
    setNodes(s.nodes);
    setEdges(s.edges);
    setGroups(s.groups);
    levelSockets.current.put(s.sockets);
  }, [setNodes, setEdges]);

  const now = useCallback((): Snapshot => ({ ...latest.current, sockets: levelSockets.current.take() }), []);
  const undo = useCallback(() => restore(history.current.undo(now())), [restore, now]);
  const redo = useCallback(() => restore(history.current.redo(now())), [restore, now]);

  /** Installs `next` (default: a fresh one) as the undo history and returns the one it replaces (per subgraph level). */
  const swapHistory = useCallback((next?: unknown): unknown => {
    const was = history.current;
    history.current = (next as UndoHistory<Snapshot> | undefined) ?? new UndoHistory<Snapshot>();
    return was;
  }, []);
  const sub = useSubgraphLevels(initial, { latest, setNodes, setEdges, setGroups, record, swapHistory, catalog });
  const { composeNow, resetSubgraphs } = sub;
  levelSockets.current = { take: sub.socketSnapshot, put: sub.restoreSockets };
  /** The whole workflow, also while a subgraph is open on the canvas. */
  const graphOf = useCallback(
    (meta?: Graph['meta']) => composeNow(flowToGraph(latest.current.nodes, latest.current.edges, meta, latest.current.groups)),
    [composeNow],
  );

  /** Why a connection may not be drawn, or null when it may. */
  const connectionProblem = useCallback((c: Connection | FlowEdge): string | null => {
    const { nodes: ns, edges: es } = latest.current;
    if (!c.sourceHandle || !c.targetHandle) return 'connect an output socket to an input socket';
    const r = checkConnection(
      catalog,
      { nodes: ns.map(flowNodeToGraph), edges: es.map(flowEdgeToGraph) },
      flowEdgeToGraph(c),
    );
    return r.ok ? null : r.reason;
  }, [catalog]);

  const connect = useCallback((c: Connection) => {
    if (connectionProblem(c)) return;
    record();
    // One edge per input: the new edge replaces whatever fed this input before.
    setEdges((es) => [
      ...es.filter((e) => !(e.target === c.target && e.targetHandle === c.targetHandle)),
      graphEdgeToFlow(flowEdgeToGraph(c)),
    ]);
  }, [connectionProblem, record, setEdges]);

  const addNode = useCallback((type: string, position: XYPosition): string | null => {
    const def = catalog.get(type);
    if (!def) return null;
    record();
    const id = freshNodeId(type, new Set(latest.current.nodes.map((n) => n.id)));
    const params = Object.fromEntries(def.params.map((p) => [p.name, structuredClone(p.default)]));
    // New samplers randomize their seed after each run (ComfyUI's default), so Run ×N gives N different images.
    const node = graphNodeToFlow({ id, type, typeVersion: def.version, params, controls: defaultControls(def.params) }, snap(position));
    setNodes((ns) => [...ns.map((n) => (n.selected ? { ...n, selected: false } : n)), { ...node, selected: true }]);
    return id;
  }, [catalog, record, setNodes]);

  /**
   * Adds a node and wires it to an existing socket in one undo step (a wire dropped on the canvas, then a node picked):
   * `wire.handle` of `wire.node` is an output (`source`) feeding the new node's first input of `wire.type`, or an
   * input (`target`) fed by its first output of that type. ANY sockets (reroutes) match every type.
   */
  const addNodeWired = useCallback((
    type: string, position: XYPosition, wire: { node: string; handle: string; side: 'source' | 'target'; type?: string },
  ): string | null => {
    const def = catalog.get(type);
    if (!def) return null;
    const fits = (t: string) => !wire.type || t === wire.type || t === 'ANY' || wire.type === 'ANY';
    const socket = wire.side === 'source' ? def.inputs.find((i) => fits(i.type))?.name : def.outputs.find((o) => fits(o.type))?.name;
    const id = addNode(type, position);
    if (!id || !socket) return id;
    const edge = wire.side === 'source'
      ? { source: wire.node, sourceHandle: wire.handle, target: id, targetHandle: socket }
      : { source: id, sourceHandle: socket, target: wire.node, targetHandle: wire.handle };
    setEdges((es) => [...es.filter((e) => !(e.target === edge.target && e.targetHandle === edge.targetHandle)), graphEdgeToFlow(flowEdgeToGraph(edge))]);
    return id;
  }, [catalog, addNode, setEdges]);

  /** Removes the wires with these ids (edge menu, a wire detached and dropped nowhere). */
  const removeEdges = useCallback((ids: readonly string[]) => {
    if (!latest.current.edges.some((e) => ids.includes(e.id))) return;
    record();
    setEdges((es) => es.filter((e) => !ids.includes(e.id)));
  }, [record, setEdges]);

  /** Splits wire `edgeId` with a reroute dot centred at `at` (flow coordinates); returns the dot's id. */
  const insertReroute = useCallback((edgeId: string, at: XYPosition): string | null => {
    const edge = latest.current.edges.find((e) => e.id === edgeId);
    if (!edge || !catalog.has('reroute')) return null;
    record();
    const id = freshNodeId('reroute', new Set(latest.current.nodes.map((n) => n.id)));
    // The dot is 16 px wide: its centre lands on the click (not snapped to the grid, so it stays on the wire).
    const node = graphNodeToFlow({ id, type: 'reroute', typeVersion: 1, params: {} }, { x: at.x - 8, y: at.y - 8 });
    setNodes((ns) => [...ns, node]);
    setEdges((es) => [
      ...es.filter((e) => e.id !== edgeId),
      graphEdgeToFlow(flowEdgeToGraph({ ...edge, target: id, targetHandle: 'input' })),
      graphEdgeToFlow(flowEdgeToGraph({ ...edge, source: id, sourceHandle: 'output' })),
    ]);
    return id;
  }, [catalog, record, setNodes, setEdges]);

  /** Collapse to the title bar, or expand again (the node's header button); undoable, saved with the graph. */
  const toggleCollapsed = useCallback((nodeId: string) => {
    record();
    setNodes((ns) => ns.map((n) => {
      if (n.id !== nodeId) return n;
      const { collapsed, ...rest } = n.data;
      return { ...n, data: collapsed ? rest : { ...rest, collapsed: true as const } };
    }));
  }, [record, setNodes]);

  /**
   * Param `name` of a node as an input handle fed by a primitive's wire, or back to its widget (dropping the wire);
   * undoable, saved with the graph. Its seed control goes too: the primitive feeding it carries its own.
   */
  const toggleParamInput = useCallback((nodeId: string, name: string) => {
    record();
    const wasInput = latest.current.nodes.find((n) => n.id === nodeId)?.data.paramInputs?.includes(name) ?? false;
    setNodes((ns) => ns.map((n) => {
      if (n.id !== nodeId) return n;
      const { paramInputs = [], controls = {}, ...rest } = n.data;
      const data: FlowNodeData = rest;
      const inputs = wasInput ? paramInputs.filter((p) => p !== name) : [...paramInputs, name];
      if (inputs.length) data.paramInputs = inputs;
      const { [name]: _movesToPrimitive, ...others } = controls;
      const kept = wasInput ? controls : others;
      if (Object.keys(kept).length) data.controls = kept;
      return { ...n, data };
    }));
    if (wasInput) setEdges((es) => es.filter((e) => !(e.target === nodeId && e.targetHandle === name)));
  }, [record, setNodes, setEdges]);

  const insertFragment = useCallback((fragment: GraphFragment, offset: XYPosition) => {
    if (!fragment.nodes.length) return;
    record();
    const placed = instantiateFragment(fragment, latest.current.nodes.map((n) => n.id), offset);
    const newNodes: FlowNode[] = placed.nodes.map((n) => ({ ...graphNodeToFlow(n, { x: 0, y: 0 }), selected: true }));
    setNodes((ns) => [...ns.map((n) => (n.selected ? { ...n, selected: false } : n)), ...newNodes]);
    setEdges((es) => [...es.map((e) => (e.selected ? { ...e, selected: false } : e)), ...placed.edges.map(graphEdgeToFlow)]);
  }, [record, setNodes, setEdges]);

  const selectedFragment = useCallback((): GraphFragment => {
    const { nodes: ns, edges: es } = latest.current;
    const selected = new Set(ns.filter((n) => n.selected).map((n) => n.id));
    return fragmentOf(ns.map(flowNodeToGraph), es.map(flowEdgeToGraph), selected);
  }, []);

  /** Pastes at `at` (flow coordinates, top-left of the fragment) or offset from the originals. */
  const paste = useCallback((fragment: GraphFragment, at?: XYPosition) => {
    if (!fragment.nodes.length) return;
    const minX = Math.min(...fragment.nodes.map((n) => n.position?.x ?? 0));
    const minY = Math.min(...fragment.nodes.map((n) => n.position?.y ?? 0));
    const offset = at ? snap({ x: at.x - minX, y: at.y - minY }) : { x: 2 * GRID, y: 2 * GRID };
    insertFragment(fragment, offset);
  }, [insertFragment]);

  const duplicate = useCallback(() => paste(selectedFragment()), [paste, selectedFragment]);

  /** One node's copy beside it, wires between copied nodes only (the node menu's Duplicate). */
  const duplicateNode = useCallback((nodeId: string) => {
    const { nodes: ns, edges: es } = latest.current;
    paste(fragmentOf(ns.map(flowNodeToGraph), es.map(flowEdgeToGraph), new Set([nodeId])));
  }, [paste]);

  /** Removes nodes and every wire touching them, as one undo step (the node menu's Delete; the Delete key is React Flow's). */
  const removeNodes = useCallback((ids: readonly string[]) => {
    const gone = new Set(ids);
    record();
    setNodes((ns) => ns.filter((n) => !gone.has(n.id)));
    setEdges((es) => es.filter((e) => !gone.has(e.source) && !gone.has(e.target)));
  }, [record, setNodes, setEdges]);

  const selectAll = useCallback(() => {
    setNodes((ns) => ns.map((n) => (n.selected ? n : { ...n, selected: true })));
    setEdges((es) => es.map((e) => (e.selected ? e : { ...e, selected: true })));
  }, [setNodes, setEdges]);

  const updateData = useCallback((nodeId: string, update: (d: FlowNode['data']) => FlowNode['data']) => {
    setNodes((ns) => ns.map((n) => (n.id === nodeId ? { ...n, data: update(n.data) } : n)));
  }, [setNodes]);

  const setParam = useCallback((nodeId: string, name: string, value: unknown) => {
    // Typing into one field is one undo step, not one per keystroke.
    const key = `${nodeId}\0${name}`;
    const now = Date.now();
    if (lastParamEdit.current?.key !== key || now - lastParamEdit.current.at > 1500) record();
    lastParamEdit.current = { key, at: now };
    updateData(nodeId, (d) => ({ ...d, params: { ...d.params, [name]: value } }));
  }, [record, updateData]);

  const setControl = useCallback((nodeId: string, name: string, control: SeedControl) => {
    record();
    updateData(nodeId, (d) => {
      const controls = { ...(d.controls ?? {}) };
      if (control === 'fixed') delete controls[name];
      else controls[name] = control;
      const { controls: _old, ...rest } = d;
      return Object.keys(controls).length ? { ...rest, controls } : rest;
    });
  }, [record, updateData]);

  /** A node's own title (shown instead of its type's); empty = back to the type's title. Undoable. */
  const setTitle = useCallback((nodeId: string, title: string) => {
    record();
    const t = title.trim().slice(0, 100);
    updateData(nodeId, (d) => {
      const { title: _old, ...rest } = d;
      return t ? { ...rest, title: t } : rest;
    });
  }, [record, updateData]);

  /**
   * Bypass on/off (Ctrl+B, node menu) for the given nodes, or the selected ones: all on unless all already are.
   * Returns how many changed and to what, for the toast.
   */
  const toggleBypass = useCallback((ids?: readonly string[]): { count: number; on: boolean } => {
    const target = new Set(ids ?? nodes.filter((n) => n.selected).map((n) => n.id));
    if (!target.size) return { count: 0, on: false };
    const on = !nodes.filter((n) => target.has(n.id)).every((n) => n.data.mode === 'bypass');
    record();
    setNodes((ns) => ns.map((n) => {
      if (!target.has(n.id)) return n;
      const { mode: _old, ...rest } = n.data;
      return { ...n, data: on ? { ...rest, mode: 'bypass' as const } : rest };
    }));
    return { count: target.size, on };
  }, [nodes, record, setNodes]);

  /** Replaces the whole graph (restore of a version); undoable. */
  const replaceGraph = useCallback((g: Graph) => {
    record();
    resetSubgraphs(g);
    const f = graphToFlow(g);
    setNodes(f.nodes);
    setEdges(f.edges);
    setGroups(f.groups);
  }, [record, resetSubgraphs, setNodes, setEdges]);

  return {
    ...sub,
    nodes, edges, groups, onNodesChange, onEdgesChange, setNodes, setEdges, setGroups,
    record, undo, redo, graphOf, connectionProblem, connect, addNode, paste, duplicate, duplicateNode, removeNodes, selectAll,
    selectedFragment, setParam, setControl, setTitle, toggleBypass, replaceGraph,
    addNodeWired, removeEdges, insertReroute, toggleCollapsed, toggleParamInput,
  };
}

export type GraphEditor = ReturnType<typeof useGraphEditor>;
