// Opened subgraphs: inner nodes under flat ids, edits written back on leaving, and the whole workflow composed at any depth.
import { describe, expect, it } from 'vitest';
import { getCatalog } from '../../../nodes/registry';
import { convertToSubgraph } from '../../../nodes/engine/subgraph-edit';
import { flattenSubgraphs } from '../../../nodes/engine/subgraph';
import type { Graph } from '../../../nodes/engine/graph';
import { commitLevel, composeLevels, definitionToLevel, levelToDefinition, seedsOnLevel, type Level } from './levels';

const catalog = new Map(getCatalog().map((c) => [c.type, c]));
const node = (id: string, type: string, params: Record<string, unknown> = {}) => ({ id, type, typeVersion: 1, params, position: { x: 0, y: 0 } });
const edge = (from: string, output: string, to: string, input: string) => ({ from: { node: from, output }, to: { node: to, input } });
const plain: Graph = {
  version: 3,
  nodes: [node('bg', 'solid_color'), node('fg', 'solid_color', { color: '#00ff00' }), node('place', 'composite'), node('shrink', 'resize'), node('save', 'save_image')],
  edges: [edge('bg', 'image', 'place', 'base'), edge('fg', 'image', 'place', 'overlay'), edge('place', 'image', 'shrink', 'image'), edge('shrink', 'image', 'save', 'images')],
  meta: { name: 'demo' },
};

describe('subgraph levels', () => {
  it('shows inner nodes under the flat ids a run reports, and writes them back unprefixed', () => {
    const { graph } = convertToSubgraph(plain, ['fg', 'place'], catalog, { nodeId: 'sg' });
    const def = graph.subgraphs!.subgraph;
    const shown = definitionToLevel(def, 'sg');
    expect(shown.nodes.map((n) => n.id)).toEqual(flattenSubgraphs(graph).graph.nodes.map((n) => n.id).filter((id) => id.startsWith('sg/')));
    expect(levelToDefinition(shown, 'sg', def)).toEqual(def);
  });

  it('composes the whole workflow while a nested subgraph is open, with the edits made inside', () => {
    const inner = convertToSubgraph(plain, ['fg', 'place'], catalog, { nodeId: 'a' });
    const outer = convertToSubgraph(inner.graph, ['a', 'shrink'], catalog, { nodeId: 'b' });
    const defs = outer.graph.subgraphs!;
    // Open b, then a inside it (a is shown at b's level as "b/a").
    const levelB = definitionToLevel(defs[outer.definition], 'b');
    const path: Level[] = [{ nodeId: 'b', key: outer.definition, name: 'B', outer: outer.graph }];
    const defs1 = commitLevel(levelB, path, defs);
    const levelA = definitionToLevel(defs1[inner.definition], 'b/a');
    expect(levelA.nodes.map((n) => n.id)).toEqual(['b/a/fg', 'b/a/place']);
    path.push({ nodeId: 'b/a', key: inner.definition, name: 'A', outer: levelB });
    // Edit inside a: the fill turns red, and the overlay wire goes.
    const edited = { ...levelA, meta: plain.meta, nodes: levelA.nodes.map((n) => (n.id === 'b/a/fg' ? { ...n, params: { color: '#ff0000' } } : n)), edges: [] };
    const whole = composeLevels(edited, path, defs1);
    expect(whole.nodes.map((n) => n.id)).toEqual(['bg', 'b', 'save']);
    expect(whole.meta).toEqual({ name: 'demo' });
    const flat = flattenSubgraphs(whole).graph;
    expect(flat.nodes.find((n) => n.id === 'b/a/fg')!.params).toEqual({ color: '#ff0000' });
    expect(flat.edges.some((e) => e.to.node === 'b/a/place' && e.to.input === 'overlay')).toBe(false);
    expect(flat.edges.some((e) => e.from.node === 'bg' && e.to.node === 'b/a/place')).toBe(true);
    // At the top level it is the graph itself, unused definitions dropped.
    expect(composeLevels(plain, [], defs)).toEqual(plain);
  });

  it('drops sockets and promoted params that named deleted inner nodes', () => {
    const { graph } = convertToSubgraph(plain, ['fg', 'place'], catalog, { nodeId: 'sg' });
    const def = { ...graph.subgraphs!.subgraph, params: [{ name: 'color', node: 'fg', param: 'color' }] };
    const shown = definitionToLevel(def, 'sg');
    const without = levelToDefinition({ nodes: shown.nodes.filter((n) => n.id !== 'sg/place'), edges: [] }, 'sg', def);
    expect(without.inputs).toEqual([]);
    expect(without.outputs).toEqual([]);
    expect(without.params).toEqual([{ name: 'color', node: 'fg', param: 'color' }]);
  });

  it('puts a run\'s seed advances on the level that shows each widget', () => {
    const advances = [{ nodeId: 'k', param: 'seed', value: 3 }, { nodeId: 'k', param: 'seed', value: 4, subgraph: 'gen' }, { nodeId: 'x', param: 'seed', value: 5, subgraph: 'other' }];
    expect(seedsOnLevel(advances)).toEqual([{ nodeId: 'k', param: 'seed', value: 3 }]);
    expect(seedsOnLevel(advances, { nodeId: 'sub', key: 'gen' })).toEqual([{ nodeId: 'sub/k', param: 'seed', value: 4 }]);
  });
});
