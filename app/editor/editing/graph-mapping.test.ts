import { describe, expect, it } from 'vitest';
import { GRAPH_FORMAT_VERSION, type Graph } from '../../../nodes/engine/graph';
import { autoLayout, edgeId, flowToGraph, freshNodeId, graphToFlow } from './graph-mapping';

const graph: Graph = {
  version: 3,
  nodes: [
    { id: 'fill', type: 'solid_color', typeVersion: 1, params: { color: '#ff0000', width: 64 }, position: { x: 10, y: 20 }, paramInputs: ['width'] },
    {
      id: 'sampler', type: 'sampler', typeVersion: 2, params: { seed: 42, steps: 20 }, position: { x: 400.5, y: -30 },
      title: 'My sampler', controls: { seed: 'increment' },
    },
    { id: 'save', type: 'save_image', typeVersion: 1, params: {}, position: { x: 800, y: 0 }, mode: 'bypass', collapsed: true },
  ],
  edges: [
    { from: { node: 'fill', output: 'image' }, to: { node: 'sampler', input: 'latent' } },
    { from: { node: 'sampler', output: 'latent' }, to: { node: 'save', input: 'images' } },
  ],
  groups: [{ id: 'group_1', title: 'Sampling', color: '#3b6ea5', bounds: { x: 380, y: -90, width: 400, height: 300 } }],
  meta: { name: 'demo' },
};

describe('graph <-> React Flow mapping', () => {
  it('round-trips every node field, edge, group and meta unchanged', () => {
    const { nodes, edges, groups } = graphToFlow(graph);
    expect(flowToGraph(nodes, edges, graph.meta, groups)).toEqual(graph);
  });

  it('writes the current format: a format-1 graph comes back as 3, groups only when there are some', () => {
    const { nodes, edges, groups } = graphToFlow({ nodes: graph.nodes, edges: graph.edges });
    expect(groups).toEqual([]);
    const out = flowToGraph(nodes, edges, undefined, groups);
    expect(out.version).toBe(3);
    expect('groups' in out).toBe(false);
    // Selection is canvas state, never saved; bounds are copied, not shared.
    const flowGroups = graphToFlow(graph).groups.map((g) => ({ ...g, selected: true }));
    const saved = flowToGraph(nodes, edges, undefined, flowGroups).groups!;
    expect(saved).toEqual(graph.groups);
    flowGroups[0].bounds.x = 0;
    expect(saved[0].bounds.x).toBe(380);
  });

  it('maps sockets to handles by name and edges get stable ids', () => {
    const { nodes, edges } = graphToFlow(graph);
    expect(edges[1]).toEqual({
      id: 'sampler:latent->save:images', source: 'sampler', sourceHandle: 'latent', target: 'save', targetHandle: 'images',
    });
    expect(nodes[1].data).toEqual({
      type: 'sampler', typeVersion: 2, params: { seed: 42, steps: 20 }, title: 'My sampler', controls: { seed: 'increment' },
    });
    expect(nodes[1].position).toEqual({ x: 400.5, y: -30 });
    expect(edgeId(graph.edges[0])).toBe('fill:image->sampler:latent');
  });

  it('round-trips subgraph nodes and saves only the definitions the nodes use (nested ones too)', () => {
    const def = (name: string, nodes: Graph['nodes'] = []) => ({ name, nodes, edges: [], inputs: [], outputs: [], params: [] });
    const inner = { id: 'in', type: 'subgraph', typeVersion: 1, params: {}, subgraph: 'b', position: { x: 0, y: 0 } };
    const all = { a: def('A', [inner]), b: def('B'), unused: def('Gone') };
    const g: Graph = { version: 3, nodes: [{ id: 's', type: 'subgraph', typeVersion: 1, params: {}, subgraph: 'a', position: { x: 1, y: 2 } }], edges: [] };
    const { nodes, edges } = graphToFlow(g);
    expect(nodes[0].data.subgraph).toBe('a');
    expect(flowToGraph(nodes, edges, undefined, [], all)).toEqual({ ...g, subgraphs: { a: all.a, b: all.b } });
    expect('subgraphs' in flowToGraph([], [], undefined, [], all)).toBe(false);
  });

  it('does not share param objects between the graph and the flow state', () => {
    const { nodes } = graphToFlow(graph);
    nodes[0].data.params.color = '#00ff00';
    expect(graph.nodes[0].params.color).toBe('#ff0000');
  });

  it('keeps collapse in the node data; a graph saved before collapse existed opens expanded', () => {
    const { nodes } = graphToFlow(graph);
    expect(nodes.map((n) => n.data.collapsed)).toEqual([undefined, undefined, true]);
    const { nodes: old } = graphToFlow({ nodes: [{ id: 'a', type: 't', typeVersion: 1, params: {} }], edges: [] });
    expect('collapsed' in old[0].data).toBe(false);
    expect('collapsed' in flowToGraph(old, []).nodes[0]).toBe(false);
  });

  it('keeps colour and pin; a pinned node is not draggable in React Flow, others keep the canvas default', () => {
    const styled: Graph = {
      version: GRAPH_FORMAT_VERSION,
      nodes: [
        { id: 'a', type: 't', typeVersion: 1, params: {}, position: { x: 0, y: 0 }, color: '#8a3a3a', pinned: true },
        { id: 'b', type: 't', typeVersion: 1, params: {}, position: { x: 300, y: 0 } },
      ],
      edges: [],
    };
    const { nodes } = graphToFlow(styled);
    expect(nodes.map((n) => [n.data.color, n.data.pinned, n.draggable])).toEqual([['#8a3a3a', true, false], [undefined, undefined, undefined]]);
    expect('draggable' in nodes[1]).toBe(false);
    expect(flowToGraph(nodes, [])).toEqual(styled);
  });

  it('drops empty controls so an untouched node saves without them', () => {
    const { nodes, edges } = graphToFlow({ nodes: [{ id: 'a', type: 't', typeVersion: 1, params: {} }], edges: [] });
    nodes[0].data.controls = {};
    expect(flowToGraph(nodes, edges).nodes[0]).toEqual({ id: 'a', type: 't', typeVersion: 1, params: {}, position: { x: 0, y: 0 } });
  });

  it('lays out nodes without positions in data-flow columns', () => {
    const pos = autoLayout({
      nodes: [
        { id: 'save', type: 's', typeVersion: 1, params: {} },
        { id: 'load', type: 'l', typeVersion: 1, params: {} },
        { id: 'resize', type: 'r', typeVersion: 1, params: {} },
        { id: 'other', type: 'l', typeVersion: 1, params: {} },
      ],
      edges: [
        { from: { node: 'load', output: 'image' }, to: { node: 'resize', input: 'image' } },
        { from: { node: 'resize', output: 'image' }, to: { node: 'save', input: 'images' } },
      ],
    });
    expect(pos.get('load')).toEqual({ x: 0, y: 0 });
    expect(pos.get('other')).toEqual({ x: 0, y: 220 });
    expect(pos.get('resize')).toEqual({ x: 320, y: 0 });
    expect(pos.get('save')).toEqual({ x: 640, y: 0 });
  });

  it('terminates on a cyclic graph', () => {
    const pos = autoLayout({
      nodes: [{ id: 'a', type: 't', typeVersion: 1, params: {} }, { id: 'b', type: 't', typeVersion: 1, params: {} }],
      edges: [
        { from: { node: 'a', output: 'o' }, to: { node: 'b', input: 'i' } },
        { from: { node: 'b', output: 'o' }, to: { node: 'a', input: 'i' } },
      ],
    });
    expect(pos.size).toBe(2);
  });

  it('makes readable fresh ids that skip taken ones', () => {
    expect(freshNodeId('save_image', new Set(['save_image_1', 'save_image_2']))).toBe('save_image_3');
    expect(freshNodeId('a-b', new Set())).toBe('a_b_1');
  });
});
