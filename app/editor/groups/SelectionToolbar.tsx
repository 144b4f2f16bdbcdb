'use client';
// The toolbar above two or more selected nodes: group them in a frame, align them, distribute them with equal gaps.
import { NodeToolbar, Position } from '@xyflow/react';
import type { GraphEditor } from '../editing/useGraphEditor';
import type { AlignEdge, DistributeAxis } from './align';
import type { GroupActions } from './useGroupActions';

const ALIGN: readonly { edge: AlignEdge; label: string; icon: string }[] = [
  { edge: 'left', label: 'Align left edges', icon: '⇤' },
  { edge: 'centerX', label: 'Align horizontal centres', icon: '↔' },
  { edge: 'right', label: 'Align right edges', icon: '⇥' },
  { edge: 'top', label: 'Align top edges', icon: '⤒' },
  { edge: 'centerY', label: 'Align vertical centres', icon: '↕' },
  { edge: 'bottom', label: 'Align bottom edges', icon: '⤓' },
];
const DISTRIBUTE: readonly { axis: DistributeAxis; label: string; icon: string }[] = [
  { axis: 'horizontal', label: 'Distribute horizontally (equal gaps)', icon: '⋯' },
  { axis: 'vertical', label: 'Distribute vertically (equal gaps)', icon: '⋮' },
];

export function SelectionToolbar({ editor, actions }: { editor: GraphEditor; actions: GroupActions }) {
  const selected = editor.nodes.filter((n) => n.selected).map((n) => n.id);
  if (selected.length < 2) return null;
  return (
    <NodeToolbar nodeId={selected} isVisible position={Position.Top} offset={14}>
      <div className="selection-toolbar" role="toolbar" aria-label="Selected nodes" data-testid="selection-toolbar">
        <button type="button" onClick={() => actions.createGroup()} title="Group the selected nodes in a frame (Ctrl+G)">Group</button>
        <span className="sep" />
        {ALIGN.map((a) => (
          <button key={a.edge} type="button" aria-label={a.label} title={a.label} onClick={() => actions.alignSelected(a.edge)}>{a.icon}</button>
        ))}
        <span className="sep" />
        {DISTRIBUTE.map((d) => (
          <button
            key={d.axis} type="button" aria-label={d.label} title={selected.length < 3 ? `${d.label}: select three or more nodes` : d.label}
            disabled={selected.length < 3} onClick={() => actions.distributeSelected(d.axis)}
          >{d.icon}</button>
        ))}
      </div>
    </NodeToolbar>
  );
}
