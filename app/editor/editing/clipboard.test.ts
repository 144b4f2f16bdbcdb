import { describe, expect, it } from 'vitest';
import type { GraphEdge, GraphNode } from '../../../nodes/engine/graph';
import { fragmentOf, instantiateFragment, parseFragment, serializeFragment } from './clipboard';

const nodes: GraphNode[] = [
  { id: 'load_1', type: 'load', typeVersion: 1, params: { file: 'a.png' }, position: { x: 0, y: 0 } },
  { id: 'resize_1', type: 'resize', typeVersion: 1, params: { width: 128 }, position: { x: 300, y: 40 } },
  { id: 'save_1', type: 'save', typeVersion: 1, params: {}, position: { x: 600, y: 0 } },
];
const edges: GraphEdge[] = [
  { from: { node: 'load_1', output: 'image' }, to: { node: 'resize_1', input: 'image' } },
  { from: { node: 'resize_1', output: 'image' }, to: { node: 'save_1', input: 'images' } },
];

describe('clipboard fragments', () => {
  it('keeps only edges inside the selection', () => {
    const f = fragmentOf(nodes, edges, new Set(['load_1', 'resize_1']));
    expect(f.nodes.map((n) => n.id)).toEqual(['load_1', 'resize_1']);
    expect(f.edges).toEqual([edges[0]]);
  });

  it('pastes with new ids, rewired internal edges and shifted positions', () => {
    const f = fragmentOf(nodes, edges, new Set(['load_1', 'resize_1']));
    const pasted = instantiateFragment(f, nodes.map((n) => n.id), { x: 40, y: 40 });
    expect(pasted.nodes.map((n) => n.id)).toEqual(['load_2', 'resize_2']);
    expect(pasted.nodes[1].position).toEqual({ x: 340, y: 80 });
    expect(pasted.nodes[1].params).toEqual({ width: 128 });
    expect(pasted.edges).toEqual([{ from: { node: 'load_2', output: 'image' }, to: { node: 'resize_2', input: 'image' } }]);
    // The source fragment is untouched, so pasting twice works.
    expect(f.nodes[0].id).toBe('load_1');
  });

  it('serialises to tagged JSON and ignores unrelated clipboard text', () => {
    const f = fragmentOf(nodes, edges, new Set(['save_1']));
    expect(parseFragment(serializeFragment(f))).toEqual(f);
    expect(parseFragment('hello')).toBeNull();
    expect(parseFragment('{"nodes":[],"edges":[]}')).toBeNull();
  });
});
