// Node colour and pin edits (useNodeStyle.ts): which nodes a menu action reaches, and what each edit writes.
import { describe, expect, it } from 'vitest';
import { flowToGraph, graphNodeToFlow, type FlowNode } from '../editing/graph-mapping';
import { styleTargets, withColor, withPinned } from './useNodeStyle';

const node = (id: string, selected = false): FlowNode =>
  ({ ...graphNodeToFlow({ id, type: 't', typeVersion: 1, params: {} }, { x: 0, y: 0 }), selected });

describe('node colour and pin', () => {
  it('reaches the whole selection from a selected node, only the node itself from an unselected one', () => {
    const nodes = [node('a', true), node('b'), node('c', true)];
    expect([...styleTargets(nodes, 'a')]).toEqual(['a', 'c']);
    expect([...styleTargets(nodes, 'b')]).toEqual(['b']);
  });

  it('sets and clears a tint without touching other fields', () => {
    const tinted = withColor(node('a'), '#3d7a45');
    expect(tinted.data).toEqual({ type: 't', typeVersion: 1, params: {}, color: '#3d7a45' });
    expect('color' in withColor(tinted, null).data).toBe(false);
  });

  it('pins by turning React Flow dragging off, unpins back to the canvas default; both saved as graph fields', () => {
    const pinned = withPinned(node('a'), true);
    expect([pinned.draggable, pinned.data.pinned]).toEqual([false, true]);
    expect(flowToGraph([pinned], []).nodes[0].pinned).toBe(true);
    const unpinned = withPinned(pinned, false);
    expect('draggable' in unpinned).toBe(false);
    expect('pinned' in flowToGraph([unpinned], []).nodes[0]).toBe(false);
  });
});
