'use client';
// The empty canvas's right-click menu wired to the editor: kept out of Canvas.tsx, which hands it the quick-add opener.
import { useCallback, useState, type MouseEvent as ReactMouseEvent, type ReactNode, type RefObject } from 'react';
import { useReactFlow, type XYPosition } from '@xyflow/react';
import { CanvasContextMenu, type CanvasMenuTarget } from './CanvasContextMenu';
import { readClipboard } from '../editing/clipboard-store';
import { arrangeLayers } from './arrange';
import { flowEdgeToGraph, type FlowEdge, type FlowNode } from '../editing/graph-mapping';
import type { GraphEditor } from '../editing/useGraphEditor';

interface Options {
  editor: GraphEditor;
  wrapper: RefObject<HTMLDivElement | null>;
  readOnly: boolean;
  /** Opens the node search at a point (wrapper-relative screen position and flow position). */
  openQuickAdd(at: { screen: XYPosition; flow: XYPosition }): void;
}

export function useCanvasMenu({ editor, wrapper, readOnly, openQuickAdd }: Options): {
  onPaneContextMenu(e: ReactMouseEvent | MouseEvent): void;
  menu: ReactNode;
} {
  const flow = useReactFlow<FlowNode, FlowEdge>();
  const [target, setTarget] = useState<(CanvasMenuTarget & { flow: XYPosition }) | null>(null);
  const onPaneContextMenu = useCallback((e: ReactMouseEvent | MouseEvent) => {
    e.preventDefault();
    setTarget({ x: e.clientX, y: e.clientY, flow: flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }) });
  }, [flow]);
  const close = useCallback(() => setTarget(null), []);

  const arrange = useCallback(() => {
    const nodes = editor.nodes.map((n) => ({ id: n.id, position: n.position, width: n.measured?.width ?? 0, height: n.measured?.height ?? 0, pinned: n.data.pinned === true }));
    const at = arrangeLayers(nodes, editor.edges.map(flowEdgeToGraph));
    editor.record();
    editor.setNodes((ns) => ns.map((n) => (at.has(n.id) ? { ...n, position: at.get(n.id)! } : n)));
  }, [editor]);

  if (!target) return { onPaneContextMenu, menu: null };
  const fragment = readOnly ? null : readClipboard();
  const box = wrapper.current?.getBoundingClientRect();
  const menu = (
    <CanvasContextMenu
      target={target} onClose={close} onSelectAll={editor.selectAll}
      onAddNode={readOnly || !box ? undefined : () => openQuickAdd({ screen: { x: target.x - box.left, y: target.y - box.top }, flow: target.flow })}
      onPaste={fragment?.nodes.length ? () => editor.paste(fragment, target.flow) : undefined}
      onArrange={readOnly || editor.nodes.length < 2 ? undefined : arrange}
      onConvertToSubgraph={readOnly || !editor.nodes.some((n) => n.selected) ? undefined : () => { editor.convertSelection(); }}
    />
  );
  return { onPaneContextMenu, menu };
}
