import { describe, expect, it } from 'vitest';
import type { Graph, SeedControl } from '../../nodes/engine/graph';
import { applySeedControls, drawRandomizedSeeds, randomSeed } from './seed-controls';
import { resolveParamInputs } from '../../nodes/engine/param-inputs';
import { flattenSubgraphs } from '../../nodes/engine/subgraph';
import { getCatalog } from '../../nodes/registry';

function graph(controls: Record<string, SeedControl> | undefined, params: Record<string, unknown> = { seed: 41, steps: 20 }): Graph {
  return {
    version: 1,
    nodes: [
      { id: 'k', type: 'sampler', typeVersion: 1, params, controls },
      { id: 'other', type: 'save_image', typeVersion: 1, params: {} },
    ],
    edges: [],
  };
}

describe('applySeedControls', () => {
  it('increments, draws, or keeps the seed per the control, without touching the input', () => {
    const input = graph({ seed: 'increment' });
    const out = applySeedControls(input);
    expect(out.nodes[0].params).toEqual({ seed: 42, steps: 20 });
    expect(input.nodes[0].params.seed).toBe(41);
    expect(out.nodes[1]).toBe(input.nodes[1]);

    expect(applySeedControls(graph({ seed: 'random' }), () => 123456789).nodes[0].params.seed).toBe(123456789);
    expect(applySeedControls(graph({ seed: 'fixed' })).nodes[0].params.seed).toBe(41);
    expect(applySeedControls(graph(undefined)).nodes[0].params.seed).toBe(41);
  });

  it('randomize (after run): the first run of a batch keeps the given seed, later runs draw, chained run after run', () => {
    const draws = [7, 8];
    const draw = () => draws.shift()!;
    const first = applySeedControls(graph({ seed: 'randomize' }), draw, 0);
    expect(first.nodes[0].params.seed).toBe(41);
    const second = applySeedControls(first, draw, 1);
    const third = applySeedControls(second, draw, 2);
    expect([second.nodes[0].params.seed, third.nodes[0].params.seed]).toEqual([7, 8]);
    // The other controls act on every run, the first included.
    expect(applySeedControls(graph({ seed: 'increment' }), draw, 0).nodes[0].params.seed).toBe(42);
    expect(applySeedControls(graph({ seed: 'random' }), () => 5, 0).nodes[0].params.seed).toBe(5);
  });

  it('draws new seeds for a template copy only where the control is randomize', () => {
    const g = graph({ seed: 'randomize' });
    g.nodes[1] = { ...g.nodes[1], params: { seed: 3 }, controls: { seed: 'increment' } };
    const out = drawRandomizedSeeds(g, () => 77);
    expect(out.nodes.map((n) => n.params.seed)).toEqual([77, 3]);
    expect(g.nodes[0].params.seed).toBe(41);
  });

  it('restarts an increment from 0 when the previous seed is missing or at the top of the range', () => {
    expect(applySeedControls(graph({ seed: 'increment' }, { steps: 20 })).nodes[0].params.seed).toBe(0);
    expect(applySeedControls(graph({ seed: 'increment' }, { seed: Number.MAX_SAFE_INTEGER })).nodes[0].params.seed).toBe(0);
  });

  it('draws random seeds across the 32-bit range', () => {
    const seeds = Array.from({ length: 2000 }, randomSeed);
    expect(seeds.every((s) => Number.isInteger(s) && s >= 0 && s < 2 ** 32)).toBe(true);
    expect(new Set(seeds).size).toBeGreaterThan(1990);
    // Uniform on [0, 2^32): the mean of 2000 draws is within ~4.5 sigma of 2^31.
    const mean = seeds.reduce((a, b) => a + b, 0) / seeds.length;
    expect(Math.abs(mean - 2 ** 31)).toBeLessThan(4.5 * (2 ** 32 / Math.sqrt(12)) / Math.sqrt(2000));
    expect(Math.max(...seeds)).toBeGreaterThan(2 ** 31);
  });
});

describe('seed controls on a primitive seed', () => {
  it('move the one seed, and every sampler it feeds runs with it (their own seeds are set aside)', () => {
    const edge = (to: string) => ({ from: { node: 'seed', output: 'value' }, to: { node: to, input: 'seed' } });
    const shared: Graph = {
      version: 1,
      nodes: [
        { id: 'seed', type: 'primitive_seed', typeVersion: 1, params: { value: 5 }, controls: { value: 'increment' } },
        { id: 's1', type: 'sampler', typeVersion: 1, params: { seed: 100 }, paramInputs: ['seed'] },
        { id: 's2', type: 'sampler', typeVersion: 1, params: { seed: 200 }, paramInputs: ['seed'] },
      ],
      edges: [edge('s1'), edge('s2')],
    };
    const catalog = new Map(getCatalog().map((c) => [c.type, c]));
    const first = applySeedControls(shared);
    const second = applySeedControls(first, randomSeed, 1);
    expect(resolveParamInputs(first, catalog).graph.nodes.map((n) => [n.id, n.params.seed])).toEqual([['s1', 6], ['s2', 6]]);
    expect(resolveParamInputs(second, catalog).graph.nodes.map((n) => [n.id, n.params.seed])).toEqual([['s1', 7], ['s2', 7]]);
  });
});

describe('seed controls inside subgraphs', () => {
  // Definition "gen": sampler k (its own increment) and sampler k2 whose seed is promoted as "seed".
  const withSubgraphs = (): Graph => ({
    version: 3,
    nodes: [
      { id: 's1', type: 'subgraph', typeVersion: 1, params: {}, subgraph: 'gen', controls: { seed: 'increment' } },
      { id: 's2', type: 'subgraph', typeVersion: 1, params: { seed: 7 }, subgraph: 'gen', controls: { seed: 'random' } },
    ],
    edges: [],
    subgraphs: {
      gen: {
        name: 'Gen', edges: [], inputs: [], outputs: [], params: [{ name: 'seed', node: 'k2', param: 'seed' }],
        nodes: [
          { id: 'k', type: 'sampler', typeVersion: 1, params: { seed: 41, steps: 20 }, controls: { seed: 'increment' } },
          { id: 'k2', type: 'sampler', typeVersion: 1, params: { seed: 100 } },
        ],
      },
    },
  });
  const flatSeeds = (g: Graph) => flattenSubgraphs(g).graph.nodes.map((n) => [n.id, n.params.seed]);

  it('move inner nodes\' seeds and promoted seeds; an unset promoted seed counts on from the inner value', () => {
    const input = withSubgraphs();
    const first = applySeedControls(input, () => 999);
    expect(flatSeeds(first)).toEqual([['s1/k', 42], ['s1/k2', 101], ['s2/k', 42], ['s2/k2', 999]]);
    expect(first.nodes.map((n) => n.params)).toEqual([{ seed: 101 }, { seed: 999 }]);
    expect(input.subgraphs!.gen.nodes[0].params.seed).toBe(41);
    expect(input.nodes[0].params).toEqual({});
    // Run after run of a batch, each counts on from the previous run's graph.
    const second = applySeedControls(first, () => 5, 1);
    expect(flatSeeds(second)).toEqual([['s1/k', 43], ['s1/k2', 102], ['s2/k', 43], ['s2/k2', 5]]);
  });

  it('through a subgraph node nested in a definition, and randomize draws for a template copy inside too', () => {
    const g = withSubgraphs();
    const outer: Graph = {
      ...g,
      nodes: [{ id: 'o', type: 'subgraph', typeVersion: 1, params: {}, subgraph: 'wrap', controls: { seed: 'increment' } }],
      subgraphs: {
        ...g.subgraphs,
        wrap: { name: 'Wrap', edges: [], inputs: [], outputs: [], params: [{ name: 'seed', node: 'in', param: 'seed' }], nodes: [{ id: 'in', type: 'subgraph', typeVersion: 1, params: {}, subgraph: 'gen' }] },
      },
    };
    expect(flatSeeds(applySeedControls(outer))).toEqual([['o/in/k', 42], ['o/in/k2', 101]]);
    const inner = { ...g, subgraphs: { gen: { ...g.subgraphs!.gen, nodes: g.subgraphs!.gen.nodes.map((n) => ({ ...n, controls: { seed: 'randomize' as const } })) } } };
    expect(drawRandomizedSeeds(inner, () => 77).subgraphs!.gen.nodes.map((n) => n.params.seed)).toEqual([77, 77]);
  });
});
