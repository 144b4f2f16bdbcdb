'use client';
// The React Flow canvas: nodes from the catalog, typed connections with visible refusals,
// drop from the palette, drop of a workflow file, double-click quick-add, minimap (can be hidden) and controls.
// Wiring: sockets snap (row, collapsed node, nearest that fits), a wire dropped on the canvas opens a filtered
// quick-add, dragging a connected input picks its wire up, wires have a menu and Alt-click inserts a reroute.
// Group frames and the selection toolbar (group, align, distribute) come from groups/.
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type MouseEvent } from 'react';
import {
  Background, BackgroundVariant, ControlButton, Controls, MiniMap, ReactFlow, useReactFlow,
  type Edge, type EdgeTypes, type FinalConnectionState, type IsValidConnection, type NodeTypes, type XYPosition,
} from '@xyflow/react';
import { rerouteType } from '../../../nodes/engine/reroute';
import { inputSocketType } from '../../../nodes/engine/param-inputs';
import type { CatalogNode } from '../../../nodes/engine/catalog';
import { useToast } from '../../shell/toast';
import { droppedFile, isFileDrag } from '../../lib/workflow-file';
import { FLOW_NODE_TYPE, flowEdgeToGraph, type FlowEdge, type FlowNode } from '../editing/graph-mapping';
import { EdgeContextMenu, type EdgeMenuTarget } from './EdgeContextMenu';
import { NodeActionsContext, RerouteTypesContext, type NodeActions } from '../nodes/node-actions';
import type { DroppedWire } from '../palette/node-search';
import { SNAP_RADIUS, snapSocket } from './wire-snap';
import { GraphNodeView } from '../nodes/GraphNodeView';
import { PALETTE_DRAG_TYPE } from '../palette/Palette';
import { QuickAdd } from '../palette/QuickAdd';
import { useCanvasMenu } from './useCanvasMenu';
import { useOpeningViewport, useZoomedOut } from './useCanvasZoom';
import { rememberNode } from '../palette/recent-nodes';
import { toggleMinimap, useMinimapVisible } from './minimap-setting';
import { DELETE_KEYS } from '../editing/shortcuts';
import { socketColor } from './socket-colors';
import { GRID, type GraphEditor } from '../editing/useGraphEditor';
import { GroupLayer } from '../groups/GroupLayer';
import { WireEdge, WireOverlay, WireOverlayProvider, useWireOverlayStore } from './WireEdge';
import { useWireUnderNode } from './useWireUnderNode';
import { SelectionToolbar } from '../groups/SelectionToolbar';
import type { GroupActions } from '../groups/useGroupActions';
import { SubgraphBreadcrumb } from '../subgraphs/SubgraphBreadcrumb';
import { SUBGRAPH_TYPE } from '../../../nodes/engine/subgraph';

// Module scope: React Flow re-mounts every node when this object changes identity.
const nodeTypes: NodeTypes = { [FLOW_NODE_TYPE]: GraphNodeView };
/** Every wire is a WireEdge: also drawn above nodes, so one crossing a node shows there (useWireUnderNode takes its clicks). */
const edgeTypes: EdgeTypes = { default: WireEdge };

interface Props {
  editor: GraphEditor;
  /** Group frames and align/distribute (groups/useGroupActions.ts), shared with the shortcuts. */
  groupActions: GroupActions;
  catalog: ReadonlyMap<string, CatalogNode>;
  /** Flow position of the pointer, for paste-at-cursor. */
  pointer: { current: XYPosition | null };
  /** Right-click on a node (screen coordinates). */
  onNodeMenu?(nodeId: string, nodeType: string, at: XYPosition): void;
  /** A file dropped on the canvas (a workflow to import). */
  onFileDrop?(file: File): void;
  /** An old version is shown: look, select and pan, but no moving, wiring, deleting or adding. */
  readOnly?: boolean;
}

export function Canvas({ editor, groupActions, catalog, pointer, onNodeMenu, onFileDrop, readOnly = false }: Props) {
  const flow = useReactFlow<FlowNode, FlowEdge>();
  const notify = useToast();
  const wrapper = useRef<HTMLDivElement>(null);
  useWireUnderNode(wrapper);
  const [quickAdd, setQuickAdd] = useState<{ screen: XYPosition; flow: XYPosition; wire?: DroppedWire & { node: string; handle: string } } | null>(null);
  const [edgeMenu, setEdgeMenu] = useState<(EdgeMenuTarget & { flow: XYPosition }) | null>(null);
  // A wire picked up from a connected input: dropped on nothing, it stays removed (no quick-add).
  const detached = useRef(false);
  const catalogList = useMemo(() => [...catalog.values()], [catalog]);
  const minimap = useMinimapVisible();
  useOpeningViewport();
  const zoomedOut = useZoomedOut();
  const paneMenu = useCanvasMenu({ editor, wrapper, readOnly, openQuickAdd: setQuickAdd });

  const isValidConnection: IsValidConnection<FlowEdge> = useCallback(
    (c) => editor.connectionProblem(c) === null,
    [editor],
  );

  // Edges take the colour of the socket type they carry.
  // Keyed by ids and types only, so moving a node does not restyle every edge.
  const typesKey = editor.nodes.map((n) => `${n.id}\t${n.data.type}`).join('\n');
  const typeOfNode = useMemo(() => new Map(typesKey.split('\n').map((l) => l.split('\t') as [string, string])), [typesKey]);

  // What each reroute carries, for its dot's and wires' colour (and a dropped wire's type).
  const rerouteTypes = useMemo(() => {
    const ids = [...typeOfNode].filter(([, type]) => type === 'reroute').map(([id]) => id);
    if (!ids.length) return new Map<string, string>();
    const g = { nodes: [...typeOfNode].map(([id, type]) => ({ id, type })), edges: editor.edges.map(flowEdgeToGraph) };
    return new Map(ids.map((id) => [id, rerouteType(g, catalog, id) ?? '']));
  }, [typeOfNode, editor.edges, catalog]);
  const socketType = useCallback((nodeId: string, handle: string, side: 'source' | 'target'): string | undefined => {
    if (rerouteTypes.has(nodeId)) return rerouteTypes.get(nodeId) || undefined;
    const def = catalog.get(editor.nodes.find((n) => n.id === nodeId)?.data.type ?? '');
    if (!def) return undefined;
    return side === 'source' ? def.outputs.find((s) => s.name === handle)?.type : inputSocketType(def, handle);
  }, [rerouteTypes, catalog, editor.nodes]);

  const onConnectEnd = useCallback((event: globalThis.MouseEvent | TouchEvent, state: FinalConnectionState) => {
    const wasDetached = detached.current;
    detached.current = false;
    if (state.isValid === true || !state.fromHandle || readOnly) return;
    const from = state.fromHandle;
    const point = 'changedTouches' in event ? event.changedTouches[0] : event;
    const p = { x: point.clientX, y: point.clientY };
    const wantSide = from.type === 'source' ? 'target' : 'source';
    const asConnection = (nodeId: string, handleId: string) => from.type === 'source'
      ? { source: from.nodeId, sourceHandle: from.id ?? null, target: nodeId, targetHandle: handleId }
      : { source: nodeId, sourceHandle: handleId, target: from.nodeId, targetHandle: from.id ?? null };
    // Near a socket that fits (or over its row, or over a collapsed node): plug in there.
    const snapped = wrapper.current && snapSocket(wrapper.current, p, wantSide, (s) => editor.connectionProblem(asConnection(s.nodeId, s.handleId)) === null);
    if (snapped) {
      editor.connect(asConnection(snapped.nodeId, snapped.handleId));
      return;
    }
    if (state.toHandle && state.isValid === false) {
      const [src, tgt] = from.type === 'source' ? [from, state.toHandle] : [state.toHandle, from];
      const reason = src.type === tgt.type
        ? `cannot connect two ${src.type === 'source' ? 'outputs' : 'inputs'}: drag from an output to an input`
        : editor.connectionProblem({ source: src.nodeId, sourceHandle: src.id ?? null, target: tgt.nodeId, targetHandle: tgt.id ?? null });
      if (reason) notify(`Connection refused: ${reason}`, 'error');
      return;
    }
    // Dropped on the empty canvas: offer the nodes that can take this wire, and wire the one picked.
    const onPane = (event.target as Element | null)?.closest?.('.react-flow__pane');
    if (wasDetached || !onPane || !wrapper.current || !from.id) return;
    const box = wrapper.current.getBoundingClientRect();
    setQuickAdd({
      screen: { x: p.x - box.left, y: p.y - box.top },
      flow: flow.screenToFlowPosition(p),
      wire: { node: from.nodeId, handle: from.id, side: from.type, type: socketType(from.nodeId, from.id, from.type) },
    });
  }, [editor, notify, flow, readOnly, socketType]);

  // Dragging a connected input picks its wire up from the source end (re-plug it, or drop it to delete); pressing
  // anywhere on a socket row starts a wire from its socket. Native capture: React Flow must not see the press.
  const edgesRef = useRef(editor.edges);
  edgesRef.current = editor.edges;
  const removeEdges = editor.removeEdges;
  useEffect(() => {
    const el = wrapper.current;
    if (!el || readOnly) return;
    const onDown = (e: globalThis.MouseEvent) => {
      if (e.button !== 0 || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || !e.isTrusted) return;
      const t = e.target as Element;
      let handleEl = t.closest('.react-flow__handle');
      if (!handleEl) {
        const row = t.closest('.socket');
        if (!row || t.closest('input, select, textarea, button')) return;
        handleEl = row.querySelector('.react-flow__handle');
      }
      if (!handleEl || !el.contains(handleEl)) return;
      let start = handleEl;
      if (handleEl.classList.contains('target')) {
        const node = handleEl.getAttribute('data-nodeid');
        const id = handleEl.getAttribute('data-handleid');
        const wire = edgesRef.current.find((x) => x.target === node && x.targetHandle === id);
        if (wire) {
          const source = el.querySelector(`.react-flow__handle.source[data-nodeid="${CSS.escape(wire.source)}"][data-handleid="${CSS.escape(wire.sourceHandle ?? '')}"]`);
          if (!source) return;
          removeEdges([wire.id]);
          detached.current = true;
          start = source;
        }
      }
      if (start === t) return; // a press on an unconnected socket's own dot: React Flow handles it
      e.stopPropagation();
      e.preventDefault();
      start.dispatchEvent(new globalThis.MouseEvent('mousedown', {
        bubbles: true, cancelable: true, view: window, button: 0, buttons: 1,
        clientX: e.clientX, clientY: e.clientY, screenX: e.screenX, screenY: e.screenY,
      }));
    };
    el.addEventListener('mousedown', onDown, true);
    return () => el.removeEventListener('mousedown', onDown, true);
  }, [readOnly, removeEdges]);

  const onEdgeClick = useCallback((e: MouseEvent, edge: Edge) => {
    if (!e.altKey || readOnly) return;
    editor.insertReroute(edge.id, flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
  }, [editor, flow, readOnly]);

  const nodeActions: NodeActions | null = useMemo(() => (readOnly ? null : { toggleCollapsed: editor.toggleCollapsed, toggleParamInput: editor.toggleParamInput }), [readOnly, editor.toggleCollapsed, editor.toggleParamInput]);
  const wireOverlay = useWireOverlayStore();

  const styledEdges = useMemo(() => editor.edges.map((e) => {
    const nodeType = typeOfNode.get(e.source);
    const type = rerouteTypes.has(e.source)
      ? rerouteTypes.get(e.source)
      : nodeType ? catalog.get(nodeType)?.outputs.find((o) => o.name === e.sourceHandle)?.type : undefined;
    return { ...e, style: { stroke: socketColor(type), strokeWidth: e.selected ? 3 : 2 } };
  }), [editor.edges, typeOfNode, catalog, rerouteTypes]);

  const onDrop = useCallback((e: DragEvent) => {
    const file = droppedFile(e.dataTransfer);
    if (file && onFileDrop) {
      e.preventDefault();
      onFileDrop(file);
      return;
    }
    const type = e.dataTransfer.getData(PALETTE_DRAG_TYPE);
    if (!type || readOnly) return;
    e.preventDefault();
    rememberNode(type);
    editor.addNode(type, flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
  }, [editor, flow, onFileDrop, readOnly]);

  const onDoubleClick = useCallback((e: MouseEvent) => {
    if (readOnly || !(e.target as Element).classList?.contains('react-flow__pane')) return;
    const box = wrapper.current!.getBoundingClientRect();
    setQuickAdd({
      screen: { x: e.clientX - box.left, y: e.clientY - box.top },
      flow: flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }),
    });
  }, [flow, readOnly]);

  return (
    <div
      className={zoomedOut ? 'canvas zoomed-out' : 'canvas'} ref={wrapper} data-testid="canvas" data-node-view={zoomedOut ? 'simple' : 'full'}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes(PALETTE_DRAG_TYPE) || (onFileDrop && isFileDrag(e.dataTransfer))) {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
        }
      }}
      onDrop={onDrop}
      onDoubleClick={onDoubleClick}
      onMouseMove={(e) => { pointer.current = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }); }}
    >
      <NodeActionsContext.Provider value={nodeActions}>
      <RerouteTypesContext.Provider value={rerouteTypes}>
      <WireOverlayProvider value={wireOverlay}>
      <ReactFlow<FlowNode, FlowEdge>
        nodes={editor.nodes}
        edges={styledEdges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={editor.onNodesChange}
        onEdgesChange={editor.onEdgesChange}
        onConnect={editor.connect}
        onConnectEnd={onConnectEnd}
        connectionRadius={SNAP_RADIUS}
        onEdgeClick={onEdgeClick}
        onEdgeContextMenu={readOnly ? undefined : (e, edge) => {
          e.preventDefault();
          setEdgeMenu({ edgeId: edge.id, x: e.clientX, y: e.clientY, flow: flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }) });
        }}
        onPaneContextMenu={paneMenu.onPaneContextMenu}
        onNodeContextMenu={(e, node) => { e.preventDefault(); onNodeMenu?.(node.id, node.data.type, { x: e.clientX, y: e.clientY }); }}
        onNodeDoubleClick={(_, node) => { if (node.data.type === SUBGRAPH_TYPE) editor.openSubgraph(node.id); }}
        isValidConnection={isValidConnection}
        onNodeDragStart={editor.record}
        onSelectionDragStart={editor.record}
        onBeforeDelete={async () => { editor.record(); return true; }}
        deleteKeyCode={readOnly ? null : DELETE_KEYS}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        edgesReconnectable={!readOnly}
        zoomOnDoubleClick={false}
        snapToGrid
        snapGrid={[GRID, GRID]}
        minZoom={0.1}
        colorMode="dark"
        attributionPosition="top-right"
      >
        <Background variant={BackgroundVariant.Dots} gap={GRID} size={1} />
        <WireOverlay />
        <GroupLayer editor={editor} actions={groupActions} readOnly={readOnly} />
        {!readOnly && <SelectionToolbar editor={editor} actions={groupActions} />}
        {minimap && <MiniMap pannable zoomable nodeStrokeWidth={3} />}
        <Controls>
          <ControlButton
            onClick={toggleMinimap} aria-label={minimap ? 'Hide minimap' : 'Show minimap'}
            title={`${minimap ? 'Hide' : 'Show'} the minimap (M)`} aria-pressed={minimap}
          >
            <svg viewBox="0 0 16 16" aria-hidden="true"><rect x="1.5" y="3.5" width="13" height="9" fill="none" stroke="currentColor" /><rect x="8" y="7" width="5" height="4" fill="currentColor" /></svg>
          </ControlButton>
        </Controls>
      </ReactFlow>
      </WireOverlayProvider>
      </RerouteTypesContext.Provider>
      </NodeActionsContext.Provider>
      {edgeMenu && (
        <EdgeContextMenu
          target={edgeMenu} onClose={() => setEdgeMenu(null)}
          onDelete={() => editor.removeEdges([edgeMenu.edgeId])}
          onInsertReroute={() => editor.insertReroute(edgeMenu.edgeId, edgeMenu.flow)}
        />
      )}
      {paneMenu.menu}
      <SubgraphBreadcrumb path={editor.subgraphPath} onBack={editor.subgraphBack} />
      {quickAdd && (
        <QuickAdd
          catalog={catalogList}
          at={quickAdd.screen}
          onClose={() => setQuickAdd(null)}
          wire={quickAdd.wire}
          onPick={(type) => {
            if (quickAdd.wire) editor.addNodeWired(type, quickAdd.flow, quickAdd.wire);
            else editor.addNode(type, quickAdd.flow);
            setQuickAdd(null);
          }}
        />
      )}
    </div>
  );
}
