import { describe, expect, it } from 'vitest';
import type { Graph } from '../../../nodes/engine/graph';
import { getCatalog } from '../../../nodes/registry';
import { browserRandomSeed, cacheNotice, defaultControls, seedAdvances, seedsUsed, withSeeds } from './seed-advance';

function graph(controls: Graph['nodes'][number]['controls'], seed = 41): Graph {
  return {
    version: 1,
    nodes: [
      { id: 'k', type: 'sampler', typeVersion: 1, params: { seed, steps: 20 }, controls },
      { id: 'save', type: 'save_image', typeVersion: 1, params: { filename_prefix: 'x' } },
    ],
    edges: [],
  };
}

describe('seed advance after a run', () => {
  it('randomize shows a new draw, increment the seed it used, random and fixed stay', () => {
    expect(seedAdvances(graph({ seed: 'randomize' }), () => 99)).toEqual([{ nodeId: 'k', param: 'seed', value: 99 }]);
    expect(seedAdvances(graph({ seed: 'increment' }, 44), () => 99)).toEqual([{ nodeId: 'k', param: 'seed', value: 44 }]);
    expect(seedAdvances(graph({ seed: 'random' }), () => 99)).toEqual([]);
    expect(seedAdvances(graph({ seed: 'fixed' }), () => 99)).toEqual([]);
    expect(seedAdvances(graph(undefined), () => 99)).toEqual([]);
    expect(seedsUsed(graph({ seed: 'random' }, 7))).toEqual({ 'k.seed': 7 });
  });

  it('writes advanced seeds into a graph without touching the input or other params', () => {
    const g = graph({ seed: 'randomize' });
    const out = withSeeds(g, [{ nodeId: 'k', param: 'seed', value: 5 }, { nodeId: 'gone', param: 'seed', value: 6 }]);
    expect(out.nodes[0].params).toEqual({ seed: 5, steps: 20 });
    expect(g.nodes[0].params.seed).toBe(41);
    expect(out.nodes[1]).toBe(g.nodes[1]);
    // Key order is kept: the JSON compared for "unsaved" changes only in the value.
    expect(JSON.stringify(out)).toBe(JSON.stringify(g).replace('"seed":41', '"seed":5'));
  });

  it('gives new samplers and refiners randomize-after-run, and nodes without a seed nothing', () => {
    const byType = new Map(getCatalog().map((c) => [c.type, c]));
    expect(defaultControls(byType.get('sampler')!.params)).toEqual({ seed: 'randomize' });
    expect(defaultControls(byType.get('refiner')!.params)).toEqual({ seed: 'randomize' });
    expect(defaultControls(byType.get('save_image')!.params)).toBeUndefined();
  });

  it('draws browser seeds across the 32-bit range', () => {
    const seeds = Array.from({ length: 500 }, browserRandomSeed);
    expect(seeds.every((s) => Number.isInteger(s) && s >= 0 && s < 2 ** 32)).toBe(true);
    expect(new Set(seeds).size).toBeGreaterThan(495);
    expect(Math.max(...seeds)).toBeGreaterThan(2 ** 31);
  });
});

describe('seed advance inside subgraphs', () => {
  // Ran with seeds applied: inner k incremented to 42, promoted seed of k2 unset on s (ran with the inner 100).
  const ran: Graph = {
    version: 3,
    nodes: [{ id: 's', type: 'subgraph', typeVersion: 1, params: {}, subgraph: 'gen', controls: { seed: 'randomize' } }],
    edges: [],
    subgraphs: {
      gen: {
        name: 'Gen', edges: [], inputs: [], outputs: [], params: [{ name: 'seed', node: 'k2', param: 'seed' }],
        nodes: [
          { id: 'k', type: 'sampler', typeVersion: 1, params: { seed: 42 }, controls: { seed: 'increment' } },
          { id: 'k2', type: 'sampler', typeVersion: 1, params: { seed: 100 } },
        ],
      },
    },
  };

  it('advances inner nodes in their definition and promoted seeds on the subgraph node', () => {
    const advances = seedAdvances(ran, () => 9);
    expect(advances).toEqual([{ nodeId: 's', param: 'seed', value: 9 }, { nodeId: 'k', param: 'seed', value: 42, subgraph: 'gen' }]);
    expect(seedsUsed(ran)).toEqual({ 's.seed': 100, 's/k.seed': 42 });
    const next = withSeeds({ ...ran, subgraphs: { gen: { ...ran.subgraphs!.gen, nodes: ran.subgraphs!.gen.nodes.map((n) => ({ ...n, params: { seed: 1 } })) } } }, advances);
    expect(next.nodes[0].params).toEqual({ seed: 9 });
    expect(next.subgraphs!.gen.nodes.map((n) => n.params.seed)).toEqual([42, 1]);
  });

  it('a fixed seed beside a moving one inside a subgraph is no cache notice', () => {
    const catalog = new Map(getCatalog().map((c) => [c.type, c]));
    const s = { ...ran.nodes[0], controls: undefined };
    const g = { ...ran, nodes: [s, { id: 'top', type: 'sampler', typeVersion: 1, params: { seed: 1 }, controls: { seed: 'fixed' as const } }] };
    expect(cacheNotice({ graph: g, logical: 'A', lastRun: null, count: 3, catalog })).toBeNull();
  });
});

describe('cache notice near Run', () => {
  const catalog = new Map(getCatalog().map((c) => [c.type, c]));
  const fixed = graph({ seed: 'fixed' });
  const notice = (g: Graph, logical: string, lastRun: string | null, count: number) => cacheNotice({ graph: g, logical, lastRun, count, catalog });
  it('warns when fixed seeds make a batch identical, or the graph is the one last run', () => {
    expect(notice(fixed, 'A', null, 3)?.text).toBe('Fixed seeds: these 3 runs are identical; all but the first come from cache.');
    expect(notice(graph(undefined), 'A', 'A', 1)?.text).toBe('Nothing changed and seeds are fixed: this run will come from cache.');
    expect(notice(fixed, 'B', 'A', 1)).toBeNull();
    expect(notice(fixed, 'A', null, 1)).toBeNull();
  });
  it('says nothing when a seed moves from run to run, or the graph has no seed at all', () => {
    for (const c of ['randomize', 'random', 'increment'] as const) expect(notice(graph({ seed: c }), 'A', 'A', 3)).toBeNull();
    const seedless: Graph = { version: 1, nodes: [fixed.nodes[1]], edges: [] };
    expect(notice(seedless, 'A', 'A', 3)).toBeNull();
  });
});
