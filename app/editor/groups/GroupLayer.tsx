'use client';
// Group frames on the canvas, drawn in flow coordinates behind every node and wire (a ViewportPortal whose frames sit
// at z-index -1 in the viewport). Only a frame's title bar and resize grip take the pointer, so the nodes inside and
// the empty canvas behind keep theirs (click, drag, box-select, pan). Dragging the title moves the frame and what is
// in it; double-click renames; right-click opens the group menu.
import { memo, useCallback, useEffect, useRef, useState, type CSSProperties, type PointerEvent as ReactPointerEvent } from 'react';
import { ViewportPortal, useReactFlow } from '@xyflow/react';
import { useToast } from '../../shell/toast';
import type { FlowGroup } from '../editing/graph-mapping';
import type { GraphEditor } from '../editing/useGraphEditor';
import { GroupMenu } from './GroupMenu';
import type { XY } from './geometry';
import type { GroupActions } from './useGroupActions';
import './groups.css';

/** Screen pixels the pointer must travel before a press on a title becomes a drag (a click only selects). */
const DRAG_THRESHOLD = 3;

/**
 * Follows the pointer from a press: the first movement past the threshold calls `begin` (which records the undo step),
 * every later one hands it the movement so far in flow units.
 */
function followPointer(e: ReactPointerEvent, zoom: number, begin: () => ((d: XY) => void) | null) {
  const start = { x: e.clientX, y: e.clientY };
  let apply: ((d: XY) => void) | null = null;
  let started = false;
  const move = (ev: PointerEvent) => {
    if (!started) {
      if (Math.hypot(ev.clientX - start.x, ev.clientY - start.y) < DRAG_THRESHOLD) return;
      started = true;
      apply = begin();
    }
    apply?.({ x: (ev.clientX - start.x) / zoom, y: (ev.clientY - start.y) / zoom });
  };
  const end = () => {
    window.removeEventListener('pointermove', move);
    window.removeEventListener('pointerup', end);
    window.removeEventListener('pointercancel', end);
  };
  window.addEventListener('pointermove', move);
  window.addEventListener('pointerup', end);
  window.addEventListener('pointercancel', end);
}

interface Props {
  editor: GraphEditor;
  actions: GroupActions;
  readOnly: boolean;
}

export function GroupLayer({ editor, actions, readOnly }: Props) {
  const flow = useReactFlow();
  const notify = useToast();
  const [menu, setMenu] = useState<{ id: string; x: number; y: number } | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const { selectGroup, beginMove, beginResize, setGroupTitle } = actions;

  // A press anywhere but on a frame's title (or its menu) leaves the frame unselected, as a click elsewhere does a node.
  const anySelected = editor.groups.some((g) => g.selected);
  useEffect(() => {
    if (!anySelected) return;
    const onDown = (e: PointerEvent) => {
      if (!(e.target as Element | null)?.closest?.('.group-title, .group-menu')) selectGroup(null);
    };
    window.addEventListener('pointerdown', onDown, true);
    return () => window.removeEventListener('pointerdown', onDown, true);
  }, [anySelected, selectGroup]);

  const onTitleDown = useCallback((e: ReactPointerEvent, id: string) => {
    if (e.button !== 0 || readOnly) return;
    selectGroup(id);
    followPointer(e, flow.getZoom(), () => beginMove(id));
  }, [flow, readOnly, selectGroup, beginMove]);

  const onResizeDown = useCallback((e: ReactPointerEvent, id: string) => {
    if (e.button !== 0) return;
    e.stopPropagation();
    followPointer(e, flow.getZoom(), () => beginResize(id));
  }, [flow, beginResize]);

  const onRename = useCallback((id: string, title: string | null) => {
    setEditing(null);
    if (title !== null) setGroupTitle(id, title);
  }, [setGroupTitle]);

  const menuGroup = menu && editor.groups.find((g) => g.id === menu.id);
  return (
    <>
      <ViewportPortal>
        {editor.groups.map((g) => (
          <GroupFrame
            key={g.id} group={g} readOnly={readOnly} editing={editing === g.id}
            onTitleDown={onTitleDown} onResizeDown={onResizeDown} onRename={onRename}
            onStartRename={readOnly ? undefined : setEditing}
            onMenu={readOnly ? undefined : (id, x, y) => { selectGroup(id); setMenu({ id, x, y }); }}
          />
        ))}
      </ViewportPortal>
      {menu && menuGroup && (
        <GroupMenu
          group={menuGroup} at={menu} onClose={() => setMenu(null)}
          bypassed={isAll(editor, actions, menuGroup.id, (n) => n.data.mode === 'bypass')}
          collapsed={isAll(editor, actions, menuGroup.id, (n) => n.data.collapsed === true)}
          onRename={() => setEditing(menuGroup.id)}
          onColor={(c) => actions.setGroupColor(menuGroup.id, c)}
          onBypass={() => {
            const r = actions.toggleGroupBypass(menuGroup.id);
            if (r.count) notify(`${r.on ? 'Bypassed' : 'Un-bypassed'} ${r.count} node(s) in "${menuGroup.title}"`);
          }}
          onCollapse={() => actions.toggleGroupCollapsed(menuGroup.id)}
          onSelectNodes={() => actions.selectMembers(menuGroup.id)}
          onUngroup={() => actions.ungroup(menuGroup.id)}
        />
      )}
    </>
  );
}

function isAll(editor: GraphEditor, actions: GroupActions, id: string, test: (n: GraphEditor['nodes'][number]) => boolean): boolean {
  const ids = new Set(actions.memberIds(id));
  const members = editor.nodes.filter((n) => ids.has(n.id));
  return members.length > 0 && members.every(test);
}

interface FrameProps {
  group: FlowGroup;
  readOnly: boolean;
  editing: boolean;
  onTitleDown(e: ReactPointerEvent, id: string): void;
  onResizeDown(e: ReactPointerEvent, id: string): void;
  onRename(id: string, title: string | null): void;
  onStartRename?(id: string): void;
  onMenu?(id: string, x: number, y: number): void;
}

const GroupFrame = memo(function GroupFrame({ group: g, readOnly, editing, onTitleDown, onResizeDown, onRename, onStartRename, onMenu }: FrameProps) {
  // Enter and Esc end the edit by leaving the field, so the title is committed once, on blur.
  const cancelled = useRef(false);
  const style = {
    transform: `translate(${g.bounds.x}px, ${g.bounds.y}px)`, width: g.bounds.width, height: g.bounds.height, '--group-color': g.color,
  } as CSSProperties;
  return (
    <div className={g.selected ? 'group-frame selected' : 'group-frame'} style={style} data-testid="group-frame" data-group-id={g.id}>
      <div
        className="group-title nopan nokey" data-testid="group-title" title={readOnly ? undefined : 'Drag to move the group; double-click to rename; right-click for more'}
        onPointerDown={(e) => onTitleDown(e, g.id)}
        onDoubleClick={(e) => { e.stopPropagation(); onStartRename?.(g.id); }}
        onContextMenu={(e) => { e.preventDefault(); e.stopPropagation(); onMenu?.(g.id, e.clientX, e.clientY); }}
      >
        {editing ? (
          <input
            className="group-title-input" aria-label="Group title" defaultValue={g.title} autoFocus maxLength={200}
            onFocus={(e) => e.currentTarget.select()}
            onPointerDown={(e) => e.stopPropagation()}
            onKeyDown={(e) => {
              if (e.key !== 'Enter' && e.key !== 'Escape') return;
              cancelled.current = e.key === 'Escape';
              e.currentTarget.blur();
            }}
            onBlur={(e) => {
              onRename(g.id, cancelled.current ? null : e.currentTarget.value);
              cancelled.current = false;
            }}
          />
        ) : <span className="group-title-text">{g.title}</span>}
      </div>
      {!readOnly && <div className="group-resize nopan nokey" data-testid="group-resize" aria-hidden onPointerDown={(e) => onResizeDown(e, g.id)} />}
    </div>
  );
});
