'use client';
// Right-click menu of a wire: delete it, or insert a reroute dot where it was clicked.
import { useMenuDismiss } from '../editing/useMenuDismiss';

export interface EdgeMenuTarget {
  edgeId: string;
  /** Client coordinates of the click (the menu's corner). */
  x: number;
  y: number;
}

interface Props {
  target: EdgeMenuTarget;
  onDelete(): void;
  onInsertReroute(): void;
  onClose(): void;
}

export function EdgeContextMenu({ target, onDelete, onInsertReroute, onClose }: Props) {
  useMenuDismiss('edge-menu', onClose);
  const act = (fn: () => void) => () => { fn(); onClose(); };
  return (
    <div className="node-menu" role="menu" data-testid="edge-menu" style={{ left: target.x, top: target.y }}>
      <button type="button" role="menuitem" onClick={act(onInsertReroute)} title="Also: Alt-click the wire">Insert reroute</button>
      <button type="button" role="menuitem" onClick={act(onDelete)}>Delete wire</button>
    </div>
  );
}
