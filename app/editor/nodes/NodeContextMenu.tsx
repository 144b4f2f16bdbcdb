'use client';
// Right-click menu of a canvas node: breakpoints (sampler steps, before the node), "Run to here", and the editing
// staples (bypass, collapse, colour, pin, duplicate, delete; renaming is a double-click on the title).
import type { ReactNode } from 'react';
import { useMenuDismiss } from '../editing/useMenuDismiss';
import { NODE_COLORS } from './useNodeStyle';
import { useDialogs } from '../../shell/dialogs';

export interface NodeMenuTarget {
  nodeId: string;
  nodeType: string;
  /** Screen position (client coordinates). */
  x: number;
  y: number;
}

interface Props {
  target: NodeMenuTarget;
  isSampler: boolean;
  everyStep: boolean;
  beforeNode: boolean;
  onClose(): void;
  onBreakAtStep(step: number): void;
  onToggleEveryStep(): void;
  onToggleBeforeNode(): void;
  onClearBreakpoints(): void;
  onRunToHere(): void;
  bypassed: boolean;
  collapsed: boolean;
  color?: string;
  pinned: boolean;
  /** The editing items are absent when the canvas is read-only. */
  onToggleBypass?(): void;
  onToggleCollapsed?(): void;
  /** null = no tint. Colour and pin apply to the whole selection when this node is in it. */
  onColor?(color: string | null): void;
  onTogglePinned?(): void;
  onDuplicate?(): void;
  onDelete?(): void;
  /** The selection (or this node) into one subgraph node; absent when read-only. */
  onConvertToSubgraph?(): void;
  /** Only on subgraph nodes. */
  onOpenSubgraph?(): void;
  onUnpackSubgraph?(): void;
  /** On subgraph nodes: store it in the library (a new version when it came from there). */
  onSaveSubgraph?(): void;
  /** The library's newer version of this subgraph node's definition, when there is one. */
  updateSubgraphTo?: number;
  onUpdateSubgraph?(): void;
  /** Inside an opened subgraph: this node's params that can become params of the subgraph node. */
  promotable?: readonly string[];
  onPromote?(param: string): void;
  /** More items after the promote ones (the opened subgraph's sockets); they close the menu themselves. */
  children?: ReactNode;
}

export function NodeContextMenu(p: Props) {
  const dialogs = useDialogs();
  useMenuDismiss('node-menu', p.onClose);

  const act = (fn: () => void) => () => { fn(); p.onClose(); };
  // The menu closes at once; the dialog outlives it and reports back through the handler it was opened with.
  const breakAt = () => {
    const onStep = p.onBreakAtStep;
    void dialogs.askNumber({
      title: 'Break at step', message: 'Pause the run before this sampler step.', label: 'Step', initial: 0, min: 0,
      hint: '0 = before the first step', confirmLabel: 'Set breakpoint',
    }).then((step) => { if (step !== null) onStep(step); });
  };
  return (
    <div className="node-menu" role="menu" data-testid="node-menu" style={{ left: p.target.x, top: p.target.y }}>
      {p.isSampler && (
        <>
          <button type="button" role="menuitem" onClick={act(breakAt)}>Break at step…</button>
          <button type="button" role="menuitem" onClick={act(p.onToggleEveryStep)}>{p.everyStep ? 'Stop breaking every step' : 'Break every step'}</button>
        </>
      )}
      <button type="button" role="menuitem" onClick={act(p.onToggleBeforeNode)}>{p.beforeNode ? 'Remove break before this node' : 'Break before this node'}</button>
      <button type="button" role="menuitem" onClick={act(p.onClearBreakpoints)}>Clear breakpoints</button>
      {!p.bypassed && <button type="button" role="menuitem" onClick={act(p.onRunToHere)}>Run to here</button>}
      {p.onToggleBypass && (
        <button type="button" role="menuitem" onClick={act(p.onToggleBypass)} title="A bypassed node does not run; its inputs pass through (Ctrl+B)">
          {p.bypassed ? 'Stop bypassing' : 'Bypass'}
        </button>
      )}
      {p.onToggleCollapsed && (
        <button type="button" role="menuitem" onClick={act(p.onToggleCollapsed)}>{p.collapsed ? 'Expand' : 'Collapse'}</button>
      )}
      {p.onColor && (
        <div className="group-swatches" role="group" aria-label="Colour">
          {NODE_COLORS.map((c) => (
            <button
              key={c.value} type="button" role="menuitemradio" aria-checked={p.color === c.value} aria-label={c.name} title={c.name}
              className="group-swatch" style={{ background: c.value }} onClick={act(() => p.onColor!(c.value))}
            />
          ))}
          <button
            type="button" role="menuitemradio" aria-checked={p.color === undefined} aria-label="No colour" title="No colour"
            className="group-swatch swatch-none" onClick={act(() => p.onColor!(null))}
          />
        </div>
      )}
      {p.onTogglePinned && (
        <button type="button" role="menuitem" onClick={act(p.onTogglePinned)} title="A pinned node cannot be dragged; it stays selectable and connectable">
          {p.pinned ? 'Unpin' : 'Pin'}
        </button>
      )}
      {p.onDuplicate && <button type="button" role="menuitem" onClick={act(p.onDuplicate)} title="Ctrl+D duplicates the selection">Duplicate</button>}
      {p.onOpenSubgraph && <button type="button" role="menuitem" onClick={act(p.onOpenSubgraph)} title="Also: double-click the node">Open subgraph</button>}
      {p.onUnpackSubgraph && <button type="button" role="menuitem" onClick={act(p.onUnpackSubgraph)} title="Put its nodes back in its place">Unpack subgraph</button>}
      {p.onPromote && p.promotable?.map((param) => (
        <button key={param} type="button" role="menuitem" onClick={act(() => p.onPromote!(param))} title="Show and edit it on the subgraph node, outside">
          Promote “{param}” to the subgraph node
        </button>
      ))}
      {p.children}
      {p.onSaveSubgraph && <button type="button" role="menuitem" onClick={act(p.onSaveSubgraph)} title="A palette entry in all your workflows; saving again adds a version">Save subgraph to library</button>}
      {p.updateSubgraphTo !== undefined && p.onUpdateSubgraph && (
        <button type="button" role="menuitem" onClick={act(p.onUpdateSubgraph)} title="This workflow uses an older library version">Update to v{p.updateSubgraphTo}</button>
      )}
      {p.onConvertToSubgraph && <button type="button" role="menuitem" onClick={act(p.onConvertToSubgraph)} title="Ctrl+Shift+G: the selected nodes become one node">Convert to subgraph</button>}
      {p.onDelete && <button type="button" role="menuitem" onClick={act(p.onDelete)} title="Also: the Delete key">Delete</button>}
    </div>
  );
}
