'use client';
// Right-click menu of a group frame's title: rename, colour, bypass or collapse its nodes, select them, ungroup.
import { useMenuDismiss } from '../editing/useMenuDismiss';
import { createPortal } from 'react-dom';
import type { FlowGroup } from '../editing/graph-mapping';
import { GROUP_COLORS } from './geometry';

interface Props {
  group: FlowGroup;
  /** Screen position (client coordinates). */
  at: { x: number; y: number };
  bypassed: boolean;
  collapsed: boolean;
  onClose(): void;
  onRename(): void;
  onColor(color: string): void;
  onBypass(): void;
  onCollapse(): void;
  onSelectNodes(): void;
  onUngroup(): void;
}

export function GroupMenu(p: Props) {
  const { onClose } = p;
  useMenuDismiss('group-menu', onClose);

  const act = (fn: () => void) => () => { fn(); onClose(); };
  // Outside the canvas's transformed viewport, where position: fixed would be relative to the zoomed frame.
  return createPortal(
    <div className="node-menu group-menu" role="menu" data-testid="group-menu" style={{ left: p.at.x, top: p.at.y }}>
      <button type="button" role="menuitem" onClick={act(p.onRename)}>Rename…</button>
      <div className="group-swatches" role="group" aria-label="Colour">
        {GROUP_COLORS.map((c) => (
          <button
            key={c.value} type="button" role="menuitemradio" aria-checked={p.group.color === c.value} aria-label={c.name} title={c.name}
            className="group-swatch" style={{ background: c.value }} onClick={act(() => p.onColor(c.value))}
          />
        ))}
      </div>
      <button type="button" role="menuitem" onClick={act(p.onBypass)} title="Bypassed nodes do not run; their inputs pass through (Ctrl+B)">
        {p.bypassed ? 'Stop bypassing group' : 'Bypass group'}
      </button>
      <button type="button" role="menuitem" onClick={act(p.onCollapse)}>{p.collapsed ? 'Expand group nodes' : 'Collapse group nodes'}</button>
      <button type="button" role="menuitem" onClick={act(p.onSelectNodes)}>Select group nodes</button>
      <button type="button" role="menuitem" onClick={act(p.onUngroup)} title="Removes the frame; the nodes stay">Ungroup</button>
    </div>,
    document.body,
  );
}
