// Graph traversal: ancestors of targets and topological order. Iterative (10 000-node chains
// must not overflow the stack) and stable: ties keep the graph's node order.
import type { Graph } from './graph';

export interface Adjacency {
  parents: Map<string, string[]>;
  children: Map<string, string[]>;
}

export function adjacency(graph: Pick<Graph, 'nodes' | 'edges'>): Adjacency {
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  for (const n of graph.nodes) {
    parents.set(n.id, []);
    children.set(n.id, []);
  }
  for (const e of graph.edges) {
    if (!parents.has(e.to.node) || !children.has(e.from.node)) continue;
    parents.get(e.to.node)!.push(e.from.node);
    children.get(e.from.node)!.push(e.to.node);
  }
  return { parents, children };
}

/** The targets plus every node they transitively depend on. */
export function ancestorsOf(adj: Adjacency, targets: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const stack = [...targets];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id) || !adj.parents.has(id)) continue;
    seen.add(id);
    for (const p of adj.parents.get(id)!) stack.push(p);
  }
  return seen;
}

/** Every node downstream of `ids`, including them. */
export function descendantsOf(adj: Adjacency, ids: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const stack = [...ids];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id) || !adj.children.has(id)) continue;
    seen.add(id);
    for (const c of adj.children.get(id)!) stack.push(c);
  }
  return seen;
}

export interface TopoResult {
  order: string[];
  /** Nodes on or behind a cycle (never reached zero in-degree). */
  cyclic: string[];
}

/** Kahn's algorithm over the nodes in `subset` (all nodes when omitted). */
export function topologicalOrder(graph: Pick<Graph, 'nodes' | 'edges'>, subset?: Set<string>): TopoResult {
  const ids = graph.nodes.map((n) => n.id).filter((id) => !subset || subset.has(id));
  const rank = new Map(ids.map((id, i) => [id, i]));
  const indegree = new Map(ids.map((id) => [id, 0]));
  const children = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of graph.edges) {
    if (!rank.has(e.from.node) || !rank.has(e.to.node)) continue;
    indegree.set(e.to.node, indegree.get(e.to.node)! + 1);
    children.get(e.from.node)!.push(e.to.node);
  }
  // A min-heap on graph position keeps the order deterministic without O(n^2) scans.
  const heap = new RankHeap(rank);
  for (const id of ids) if (indegree.get(id) === 0) heap.push(id);
  const order: string[] = [];
  while (heap.size) {
    const id = heap.pop();
    order.push(id);
    for (const c of children.get(id)!) {
      const d = indegree.get(c)! - 1;
      indegree.set(c, d);
      if (d === 0) heap.push(c);
    }
  }
  const done = new Set(order);
  return { order, cyclic: ids.filter((id) => !done.has(id)) };
}

class RankHeap {
  private items: string[] = [];
  constructor(private readonly rank: Map<string, number>) {}
  get size(): number {
    return this.items.length;
  }
  push(id: string): void {
    const a = this.items;
    a.push(id);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.r(a[p]) <= this.r(a[i])) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): string {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && this.r(a[l]) < this.r(a[m])) m = l;
        if (r < a.length && this.r(a[r]) < this.r(a[m])) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
  private r(id: string): number {
    return this.rank.get(id)!;
  }
}
