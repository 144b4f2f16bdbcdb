'use client';
// The React Flow canvas: nodes from the catalog, typed connections with visible refusals,
// drop from the palette, drop of a workflow file, double-click quick-add, minimap (can be hidden) and controls.
import { useCallback, useMemo, useRef, useState, type DragEvent, type MouseEvent } from 'react';
import {
  Background, BackgroundVariant, ControlButton, Controls, MiniMap, ReactFlow, useReactFlow,
  type FinalConnectionState, type IsValidConnection, type NodeTypes, type XYPosition,
} from '@xyflow/react';
import type { CatalogNode } from '../../nodes/engine/catalog';
import { useToast } from '../shell/toast';
import { droppedFile, isFileDrag } from '../lib/workflow-file';
import { FLOW_NODE_TYPE, type FlowEdge, type FlowNode } from './graph-mapping';
import { GraphNodeView } from './GraphNodeView';
import { PALETTE_DRAG_TYPE } from './Palette';
import { QuickAdd } from './QuickAdd';
import { useOpeningViewport, useZoomedOut } from './useCanvasZoom';
import { rememberNode } from './recent-nodes';
import { toggleMinimap, useMinimapVisible } from './minimap-setting';
import { DELETE_KEYS } from './shortcuts';
import { socketColor } from './socket-colors';
import { GRID, type GraphEditor } from './useGraphEditor';

// Module scope: React Flow re-mounts every node when this object changes identity.
const nodeTypes: NodeTypes = { [FLOW_NODE_TYPE]: GraphNodeView };

interface Props {
  editor: GraphEditor;
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

export function Canvas({ editor, catalog, pointer, onNodeMenu, onFileDrop, readOnly = false }: Props) {
  const flow = useReactFlow<FlowNode, FlowEdge>();
  const notify = useToast();
  const wrapper = useRef<HTMLDivElement>(null);
  const [quickAdd, setQuickAdd] = useState<{ screen: XYPosition; flow: XYPosition } | null>(null);
  const catalogList = useMemo(() => [...catalog.values()], [catalog]);
  const minimap = useMinimapVisible();
  useOpeningViewport();
  const zoomedOut = useZoomedOut();

  const isValidConnection: IsValidConnection<FlowEdge> = useCallback(
    (c) => editor.connectionProblem(c) === null,
    [editor],
  );

  const onConnectEnd = useCallback((_: unknown, state: FinalConnectionState) => {
    if (state.isValid !== false || !state.toHandle || !state.fromHandle) return;
    const [src, tgt] = state.fromHandle.type === 'source' ? [state.fromHandle, state.toHandle] : [state.toHandle, state.fromHandle];
    const reason = src.type === tgt.type
      ? `cannot connect two ${src.type === 'source' ? 'outputs' : 'inputs'}: drag from an output to an input`
      : editor.connectionProblem({ source: src.nodeId, sourceHandle: src.id ?? null, target: tgt.nodeId, targetHandle: tgt.id ?? null });
    if (reason) notify(`Connection refused: ${reason}`, 'error');
  }, [editor, notify]);

  // Edges take the colour of the socket type they carry.
  // Keyed by ids and types only, so moving a node does not restyle every edge.
  const typesKey = editor.nodes.map((n) => `${n.id}\t${n.data.type}`).join('\n');
  const typeOfNode = useMemo(() => new Map(typesKey.split('\n').map((l) => l.split('\t') as [string, string])), [typesKey]);
  const styledEdges = useMemo(() => editor.edges.map((e) => {
    const nodeType = typeOfNode.get(e.source);
    const type = nodeType ? catalog.get(nodeType)?.outputs.find((o) => o.name === e.sourceHandle)?.type : undefined;
    return { ...e, style: { stroke: socketColor(type), strokeWidth: e.selected ? 3 : 2 } };
  }), [editor.edges, typeOfNode, catalog]);

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
      <ReactFlow<FlowNode, FlowEdge>
        nodes={editor.nodes}
        edges={styledEdges}
        nodeTypes={nodeTypes}
        onNodesChange={editor.onNodesChange}
        onEdgesChange={editor.onEdgesChange}
        onConnect={editor.connect}
        onConnectEnd={onConnectEnd}
        onNodeContextMenu={(e, node) => { e.preventDefault(); onNodeMenu?.(node.id, node.data.type, { x: e.clientX, y: e.clientY }); }}
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
      {quickAdd && (
        <QuickAdd
          catalog={catalogList}
          at={quickAdd.screen}
          onClose={() => setQuickAdd(null)}
          onPick={(type) => { editor.addNode(type, quickAdd.flow); setQuickAdd(null); }}
        />
      )}
    </div>
  );
}
