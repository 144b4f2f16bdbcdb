'use client';
// Group frame edits and align/distribute on the editor's state (useGraphEditor): each is one undo step. Which nodes
// a frame holds is worked out from geometry when needed (geometry.ts says why).
import { useCallback, useRef } from 'react';
import type { FlowGroup, FlowNode } from '../editing/graph-mapping';
import { GRID, type GraphEditor } from '../editing/useGraphEditor';
import { align, distribute, type AlignEdge, type DistributeAxis } from './align';
import {
  GROUP_COLORS, frameAround, freshGroupId, gridDelta, groupsInFrame, moved, nodesInFrame, resized, type Box, type XY,
} from './geometry';

/** A node's box in flow coordinates; before React Flow has measured it, a point at its position. */
export function nodeBox(n: FlowNode): Box & { id: string } {
  return { id: n.id, x: n.position.x, y: n.position.y, width: n.measured?.width ?? n.width ?? 0, height: n.measured?.height ?? n.height ?? 0 };
}

const groupBox = (g: FlowGroup): Box & { id: string } => ({ id: g.id, ...g.bounds });

export function groupMembers(group: FlowGroup, nodes: readonly FlowNode[], groups: readonly FlowGroup[]) {
  return { nodes: nodesInFrame(group.bounds, nodes.map(nodeBox)), groups: groupsInFrame(groupBox(group), groups.map(groupBox)) };
}

export function useGroupActions(editor: GraphEditor) {
  const { record, setNodes, setGroups, toggleBypass } = editor;
  // Callbacks read the state at call time, so a pointer-move handler made at drag start never sees stale nodes.
  const state = { nodes: editor.nodes, groups: editor.groups };
  const current = useLatest(state);

  /** A frame around the given nodes (default: the selected ones); returns its id, or null with nothing to frame. */
  const createGroup = useCallback((ids?: readonly string[]): string | null => {
    const { nodes, groups } = current();
    const wanted = new Set(ids ?? nodes.filter((n) => n.selected).map((n) => n.id));
    const members = nodes.filter((n) => wanted.has(n.id));
    if (!members.length) return null;
    record();
    const id = freshGroupId(new Set(groups.map((g) => g.id)));
    const group: FlowGroup = { id, title: 'Group', color: GROUP_COLORS[0].value, bounds: frameAround(members.map(nodeBox)) };
    // The new frame is selected instead of its nodes (Ctrl+B next bypasses the group), which also takes the selection
    // toolbar off its title bar.
    setGroups((gs) => [...gs.map((g) => (g.selected ? { ...g, selected: false } : g)), { ...group, selected: true }]);
    setNodes((ns) => ns.map((n) => (n.selected ? { ...n, selected: false } : n)));
    return id;
  }, [current, record, setGroups, setNodes]);

  /** Removes the frame; its nodes stay where they are. */
  const ungroup = useCallback((id: string) => {
    if (!current().groups.some((g) => g.id === id)) return;
    record();
    setGroups((gs) => gs.filter((g) => g.id !== id));
  }, [current, record, setGroups]);

  const updateGroup = useCallback((id: string, change: Partial<Pick<FlowGroup, 'title' | 'color'>>) => {
    const group = current().groups.find((g) => g.id === id);
    if (!group || Object.entries(change).every(([k, v]) => group[k as keyof typeof change] === v)) return;
    record();
    setGroups((gs) => gs.map((g) => (g.id === id ? { ...g, ...change } : g)));
  }, [current, record, setGroups]);

  const setGroupTitle = useCallback((id: string, title: string) => updateGroup(id, { title: title.trim().slice(0, 200) }), [updateGroup]);
  const setGroupColor = useCallback((id: string, color: string) => updateGroup(id, { color }), [updateGroup]);

  /** Selects one frame (null: none); selecting a frame clears the node selection, as clicking a node would. */
  const selectGroup = useCallback((id: string | null) => {
    setGroups((gs) => (gs.some((g) => !!g.selected !== (g.id === id)) ? gs.map((g) => ({ ...g, selected: g.id === id })) : gs));
    if (id !== null) setNodes((ns) => (ns.some((n) => n.selected) ? ns.map((n) => (n.selected ? { ...n, selected: false } : n)) : ns));
  }, [setGroups, setNodes]);

  /**
   * Starts dragging frame `id` by its title: one undo step; the returned function moves the frame, its nodes and the
   * frames nested in it by the pointer's movement so far (flow units, applied in whole grid steps).
   */
  const beginMove = useCallback((id: string): ((d: XY) => void) | null => {
    const { nodes, groups } = current();
    const group = groups.find((g) => g.id === id);
    if (!group) return null;
    record();
    const members = groupMembers(group, nodes, groups);
    // A pinned node stays where it is when its frame moves.
    const nodeFrom = new Map(nodes.filter((n) => members.nodes.includes(n.id) && !n.data.pinned).map((n) => [n.id, n.position]));
    const groupFrom = new Map([group, ...groups.filter((g) => members.groups.includes(g.id))].map((g) => [g.id, g.bounds]));
    return (pointer: XY) => {
      const d = gridDelta(pointer, GRID);
      setNodes((ns) => ns.map((n) => {
        const from = nodeFrom.get(n.id);
        return from ? { ...n, position: moved(from, d) } : n;
      }));
      setGroups((gs) => gs.map((g) => {
        const from = groupFrom.get(g.id);
        return from ? { ...g, bounds: moved(from, d) } : g;
      }));
    };
  }, [current, record, setNodes, setGroups]);

  /** Starts resizing frame `id` from its bottom-right grip (one undo step); nodes do not move. */
  const beginResize = useCallback((id: string): ((d: XY) => void) | null => {
    const group = current().groups.find((g) => g.id === id);
    if (!group) return null;
    record();
    const from = group.bounds;
    return (pointer: XY) => {
      const size = resized(from, gridDelta(pointer, GRID));
      setGroups((gs) => gs.map((g) => (g.id === id ? { ...g, bounds: size } : g)));
    };
  }, [current, record, setGroups]);

  const memberIds = useCallback((id: string): string[] => {
    const { nodes, groups } = current();
    const group = groups.find((g) => g.id === id);
    return group ? groupMembers(group, nodes, groups).nodes : [];
  }, [current]);

  /** Bypass every node in the frame, or (all already bypassed) none of them. */
  const toggleGroupBypass = useCallback((id: string) => {
    const ids = memberIds(id);
    return ids.length ? toggleBypass(ids) : { count: 0, on: false };
  }, [memberIds, toggleBypass]);

  /** Collapse every node in the frame to its title bar, or (all already collapsed) expand them all. */
  const toggleGroupCollapsed = useCallback((id: string): { count: number; on: boolean } => {
    const ids = new Set(memberIds(id));
    if (!ids.size) return { count: 0, on: false };
    const on = !current().nodes.filter((n) => ids.has(n.id)).every((n) => n.data.collapsed);
    record();
    setNodes((ns) => ns.map((n) => {
      if (!ids.has(n.id)) return n;
      const { collapsed: _old, ...rest } = n.data;
      return { ...n, data: on ? { ...rest, collapsed: true as const } : rest };
    }));
    return { count: ids.size, on };
  }, [current, memberIds, record, setNodes]);

  const selectMembers = useCallback((id: string) => {
    const ids = new Set(memberIds(id));
    setGroups((gs) => gs.map((g) => (g.selected ? { ...g, selected: false } : g)));
    setNodes((ns) => ns.map((n) => (!!n.selected === ids.has(n.id) ? n : { ...n, selected: ids.has(n.id) })));
  }, [memberIds, setGroups, setNodes]);

  const placeSelected = useCallback((place: (boxes: (Box & { id: string })[]) => Map<string, XY>) => {
    const selected = current().nodes.filter((n) => n.selected);
    const boxes = selected.map(nodeBox);
    const to = place(boxes);
    // Pinned nodes are lined up with, never moved.
    for (const n of selected) if (n.data.pinned) to.delete(n.id);
    if (![...to].some(([id, p]) => { const b = boxes.find((x) => x.id === id)!; return b.x !== p.x || b.y !== p.y; })) return;
    record();
    setNodes((ns) => ns.map((n) => { const p = to.get(n.id); return p ? { ...n, position: p } : n; }));
  }, [current, record, setNodes]);

  const alignSelected = useCallback((edge: AlignEdge) => placeSelected((b) => align(b, edge)), [placeSelected]);
  const distributeSelected = useCallback((axis: DistributeAxis) => placeSelected((b) => distribute(b, axis)), [placeSelected]);

  return {
    createGroup, ungroup, setGroupTitle, setGroupColor, selectGroup, beginMove, beginResize,
    toggleGroupBypass, toggleGroupCollapsed, selectMembers, memberIds, alignSelected, distributeSelected,
  };
}

export type GroupActions = ReturnType<typeof useGroupActions>;

/** A getter for the value of the latest render (stable identity). */
function useLatest<T>(value: T): () => T {
  const ref = useRef(value);
  ref.current = value;
  return useCallback(() => ref.current, []);
}
