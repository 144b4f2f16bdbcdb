'use client';
// Right-click menu of the empty canvas: add a node at the click (the node search), paste there, select all, arrange.
// A keyboard menu: the first item takes focus, arrows move, Enter acts, Escape or a press elsewhere closes.
import { useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useMenuDismiss } from '../editing/useMenuDismiss';

export interface CanvasMenuTarget {
  /** Client coordinates of the click (the menu's corner). */
  x: number;
  y: number;
}

interface Props {
  target: CanvasMenuTarget;
  onClose(): void;
  onSelectAll(): void;
  /** Absent on a read-only canvas, like the other items that change the graph. */
  onAddNode?(): void;
  /** Absent when nothing was copied. */
  onPaste?(): void;
  onArrange?(): void;
  /** Absent when nothing is selected or the canvas is read-only. */
  onConvertToSubgraph?(): void;
}

export function CanvasContextMenu({ target, onClose, onSelectAll, onAddNode, onPaste, onArrange, onConvertToSubgraph }: Props) {
  const menu = useRef<HTMLDivElement>(null);
  // Opened near the window's bottom or right edge, the menu moves up / left so every item stays in view.
  const [at, setAt] = useState({ left: target.x, top: target.y });
  useLayoutEffect(() => {
    const r = menu.current?.getBoundingClientRect();
    if (!r) return;
    setAt({ left: Math.max(0, Math.min(target.x, window.innerWidth - r.width - 4)), top: Math.max(0, Math.min(target.y, window.innerHeight - r.height - 4)) });
  }, [target.x, target.y]);
  useMenuDismiss('canvas-menu', onClose, () => menu.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus());

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const items = [...(menu.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    items[(at + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
  };
  const act = (fn: () => void) => () => { onClose(); fn(); };
  return (
    <div
      ref={menu} className="node-menu" role="menu" aria-label="Canvas" data-testid="canvas-menu"
      style={at} onKeyDown={onKeyDown}
    >
      {onAddNode && <button type="button" role="menuitem" onClick={act(onAddNode)} title="Also: double-click the canvas">Add node here…</button>}
      {onPaste && <button type="button" role="menuitem" onClick={act(onPaste)} title="Ctrl+V pastes at the pointer">Paste here</button>}
      <button type="button" role="menuitem" onClick={act(onSelectAll)} title="Ctrl+A">Select all</button>
      {onConvertToSubgraph && <button type="button" role="menuitem" onClick={act(onConvertToSubgraph)} title="Ctrl+Shift+G">Convert selection to subgraph</button>}
      {onArrange && <button type="button" role="menuitem" onClick={act(onArrange)} title="Columns in data-flow order (Ctrl+Z undoes)">Arrange</button>}
    </div>
  );
}
