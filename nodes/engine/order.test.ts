import { describe, expect, it } from 'vitest';
import { adjacency, ancestorsOf, descendantsOf, topologicalOrder } from './order';
import type { Graph } from './graph';

function g(nodes: string[], edges: [string, string][]): Pick<Graph, 'nodes' | 'edges'> {
  return {
    nodes: nodes.map((id) => ({ id, type: 't', typeVersion: 1, params: {} })),
    edges: edges.map(([a, b], i) => ({ from: { node: a, output: 'out' }, to: { node: b, input: `in${i}` } })),
  };
}

describe('topologicalOrder', () => {
  it('puts parents before children and keeps graph order among independent nodes', () => {
    const graph = g(['save', 'resize', 'b', 'a'], [['a', 'resize'], ['b', 'resize'], ['resize', 'save']]);
    expect(topologicalOrder(graph).order).toEqual(['b', 'a', 'resize', 'save']);
  });

  it('reports every node on or behind a cycle', () => {
    const graph = g(['a', 'b', 'c', 'd'], [['a', 'b'], ['b', 'c'], ['c', 'b'], ['c', 'd']]);
    const r = topologicalOrder(graph);
    expect(r.order).toEqual(['a']);
    expect(r.cyclic.sort()).toEqual(['b', 'c', 'd']);
  });

  it('handles a 10 000-node chain without recursion', () => {
    const n = 10_000;
    const ids = Array.from({ length: n }, (_, i) => `n${i}`);
    // Listed in reverse so the order has to come from the edges, not the list.
    const graph = g([...ids].reverse(), ids.slice(1).map((id, i) => [ids[i], id] as [string, string]));
    const r = topologicalOrder(graph);
    expect(r.order).toEqual(ids);
    expect(ancestorsOf(adjacency(graph), ['n9999']).size).toBe(n);
  });

  it('restricts to a subset', () => {
    const graph = g(['a', 'b', 'c'], [['a', 'b'], ['b', 'c']]);
    expect(topologicalOrder(graph, new Set(['a', 'c'])).order).toEqual(['a', 'c']);
  });
});

describe('ancestors and descendants', () => {
  const graph = g(['a', 'b', 'c', 'd', 'e'], [['a', 'b'], ['b', 'c'], ['d', 'c'], ['b', 'e']]);
  const adj = adjacency(graph);
  it('ancestorsOf includes the target and everything upstream only', () => {
    expect([...ancestorsOf(adj, ['c'])].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect([...ancestorsOf(adj, ['e'])].sort()).toEqual(['a', 'b', 'e']);
  });
  it('descendantsOf follows children', () => {
    expect([...descendantsOf(adj, ['b'])].sort()).toEqual(['b', 'c', 'e']);
  });
});
