// Depth layout: columns by longest path from a source, rows following the parents, cycles placed anyway.
import { describe, expect, it } from 'vitest';
import type { Graph } from '../engine/graph';
import { layoutByDepth } from './layout';

const node = (id: string) => ({ id, type: 't', typeVersion: 1, params: {} });
const edge = (from: string, to: string) => ({ from: { node: from, output: 'o' }, to: { node: to, input: 'i' } });

describe('layoutByDepth', () => {
  it('puts each node one column right of its deepest parent and rows under their parents', () => {
    // a -> b -> d, a -> d (d's column comes from the longer path), c alone, e fed by c.
    const g: Pick<Graph, 'nodes' | 'edges'> = {
      nodes: ['a', 'c', 'b', 'd', 'e'].map(node),
      edges: [edge('a', 'b'), edge('b', 'd'), edge('a', 'd'), edge('c', 'e')],
    };
    expect(Object.fromEntries(layoutByDepth(g, { x: 100, y: 10 }))).toEqual({
      a: { x: 0, y: 0 }, c: { x: 0, y: 10 },
      b: { x: 100, y: 0 }, e: { x: 100, y: 10 },
      d: { x: 200, y: 0 },
    });
  });

  it('orders a column by its parents\' rows, not by input order', () => {
    const g = { nodes: ['p', 'q', 'fromQ', 'fromP'].map(node), edges: [edge('q', 'fromQ'), edge('p', 'fromP')] };
    const pos = layoutByDepth(g, { x: 1, y: 1 });
    expect([pos.get('fromP'), pos.get('fromQ')]).toEqual([{ x: 1, y: 0 }, { x: 1, y: 1 }]);
  });

  it('still places nodes on a cycle', () => {
    const g = { nodes: ['s', 'x', 'y'].map(node), edges: [edge('s', 'x'), edge('x', 'y'), edge('y', 'x')] };
    const pos = layoutByDepth(g, { x: 1, y: 1 });
    expect(pos.size).toBe(3);
    expect(pos.get('s')).toEqual({ x: 0, y: 0 });
  });
});
