'use client';
// A node's colour and pin (the node menu): editor-only fields saved with the graph, each change one undo step, applied
// to the whole selection when the menu's node is part of it. Pinning also sets React Flow's `draggable`.
import { useCallback } from 'react';
import type { FlowNode } from '../editing/graph-mapping';
import type { GraphEditor } from '../editing/useGraphEditor';

/** The tints offered (header colour; the body takes a darker mix of it). */
export const NODE_COLORS: readonly { name: string; value: string }[] = [
  { name: 'Red', value: '#8a3a3a' },
  { name: 'Brown', value: '#7a5232' },
  { name: 'Green', value: '#3d7a45' },
  { name: 'Blue', value: '#3a4f8a' },
  { name: 'Pale blue', value: '#4f7085' },
  { name: 'Cyan', value: '#2f7a80' },
  { name: 'Purple', value: '#6a4185' },
  { name: 'Yellow', value: '#8a7428' },
  { name: 'Black', value: '#141414' },
];

/** The node the menu opened on, or every selected node when it is one of them. */
export function styleTargets(nodes: readonly FlowNode[], nodeId: string): Set<string> {
  const clicked = nodes.find((n) => n.id === nodeId);
  return new Set(clicked?.selected ? nodes.filter((n) => n.selected).map((n) => n.id) : [nodeId]);
}

export function withColor(n: FlowNode, color: string | null): FlowNode {
  const { color: _old, ...rest } = n.data;
  return { ...n, data: color ? { ...rest, color } : rest };
}

export function withPinned(n: FlowNode, pinned: boolean): FlowNode {
  const { pinned: _old, ...rest } = n.data;
  const { draggable: _drag, ...node } = n;
  return pinned ? { ...node, draggable: false, data: { ...rest, pinned: true } } : { ...node, data: rest };
}

export function useNodeStyle(editor: Pick<GraphEditor, 'nodes' | 'record' | 'setNodes'>) {
  const { nodes, record, setNodes } = editor;

  /** `null` removes the tint. */
  const setColor = useCallback((nodeId: string, color: string | null) => {
    const ids = styleTargets(nodes, nodeId);
    if (nodes.every((n) => !ids.has(n.id) || (n.data.color ?? null) === color)) return;
    record();
    setNodes((ns) => ns.map((n) => (ids.has(n.id) ? withColor(n, color) : n)));
  }, [nodes, record, setNodes]);

  /** Pins all targets unless all already are (then unpins them), as Bypass does. */
  const togglePinned = useCallback((nodeId: string) => {
    const ids = styleTargets(nodes, nodeId);
    const on = !nodes.filter((n) => ids.has(n.id)).every((n) => n.data.pinned);
    record();
    setNodes((ns) => ns.map((n) => (ids.has(n.id) ? withPinned(n, on) : n)));
  }, [nodes, record, setNodes]);

  return { setColor, togglePinned };
}
