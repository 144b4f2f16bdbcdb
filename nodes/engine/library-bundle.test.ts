// Library bundles: the nested definitions a subgraph uses at any depth, missing and self-containing definitions and
// library cycles refused with the node named, and installing under free keys with references renamed; the installed
// graph flattens to the same nodes as the one it was saved from.
import { describe, expect, it } from 'vitest';
import type { Graph, SubgraphDefinition } from './graph';
import { assertNoLibraryCycle, bundleSubgraph, installBundle, LibraryBundleError } from './library-bundle';
import { flattenSubgraphs } from './subgraph';
import { wrapperDefinition } from './testing/subgraph-wrapper';

const encoder: SubgraphDefinition = {
  name: 'Encoder',
  nodes: [{ id: 'enc', type: 'text_encoder', typeVersion: 1, params: { text: 'red' } }],
  edges: [],
  inputs: [{ name: 'clip', type: 'CLIP', to: [{ node: 'enc', input: 'clip' }] }],
  outputs: [{ name: 'conditioning', type: 'CONDITIONING', from: { node: 'enc', output: 'conditioning' } }],
  params: [],
  library: { id: 'lib-encoder', version: 3 },
};
const failure = (f: () => unknown): LibraryBundleError => {
  try {
    f();
  } catch (e) {
    if (e instanceof LibraryBundleError) return e;
    throw e;
  }
  throw new Error('did not fail');
};

describe('library bundles', () => {
  it('bundles the definitions used at every depth and nothing else', () => {
    const defs = { outer: wrapperDefinition('Outer', 'middle'), middle: wrapperDefinition('Middle', 'enc'), enc: encoder, unused: wrapperDefinition('Unused', 'enc') };
    const bundle = bundleSubgraph(defs.outer, defs);
    expect(Object.keys(bundle.subgraphs).sort()).toEqual(['enc', 'middle']);
    expect(bundle.subgraphs.enc.library).toEqual({ id: 'lib-encoder', version: 3 });
    expect(bundleSubgraph(encoder, defs).subgraphs).toEqual({});
  });

  it('refuses a missing definition and one that contains itself, naming the node', () => {
    const missing = failure(() => bundleSubgraph(wrapperDefinition('Outer', 'gone'), {}));
    expect([missing.code, missing.message]).toEqual(['unknown_subgraph', 'subgraph node "inner" inside "Outer" uses definition "gone", which is missing']);
    const defs = { a: wrapperDefinition('A', 'b'), b: wrapperDefinition('B', 'a') };
    const cycle = failure(() => bundleSubgraph(wrapperDefinition('Top', 'a'), defs));
    expect([cycle.code, cycle.message]).toEqual(['subgraph_cycle', 'subgraph "A" contains itself (Top → A → B → A)']);
  });

  it('refuses saving an entry that holds a copy of itself at any depth', () => {
    const bundle = bundleSubgraph(wrapperDefinition('Outer', 'middle'), { middle: wrapperDefinition('Middle', 'enc'), enc: encoder });
    expect(() => assertNoLibraryCycle('lib-other', 'Outer', bundle)).not.toThrow();
    const cycle = failure(() => assertNoLibraryCycle('lib-encoder', 'Encoder', bundle));
    expect([cycle.code, cycle.message]).toEqual(['library_cycle',
      'library subgraph "Encoder" cannot contain itself: node "inner" inside "Middle" is a copy of it (version 3); unpack or remove it first']);
  });

  it('installs under free keys with references renamed, flattening as the original did', () => {
    const source = { middle: wrapperDefinition('Middle', 'enc'), enc: encoder };
    const bundle = bundleSubgraph(wrapperDefinition('Outer', 'middle'), source);
    // The workflow already has "subgraph" and "enc" keys, holding something else.
    const existing = { subgraph: wrapperDefinition('Other', 'enc'), enc: { ...encoder, name: 'Other encoder', library: undefined } };
    const installed = installBundle(bundle, existing);
    expect(Object.keys(installed.subgraphs).sort()).toEqual(['enc', 'subgraph', 'subgraph_2', 'subgraph_3']);
    expect(installed.definition.nodes[0].subgraph).toBe('subgraph_2');
    expect(installed.subgraphs.subgraph_2.nodes[0].subgraph).toBe('subgraph_3');
    expect(installed.subgraphs.subgraph_3.name).toBe('Encoder');
    expect(installed.subgraphs.enc.name).toBe('Other encoder');

    const graphOf = (subgraphs: Record<string, SubgraphDefinition>, key: string): Graph => ({
      version: 3, nodes: [{ id: 'node', type: 'subgraph', typeVersion: 1, params: {}, subgraph: key }], edges: [], subgraphs,
    });
    const before = flattenSubgraphs(graphOf({ ...source, top: bundle.definition }, 'top'));
    const after = flattenSubgraphs(graphOf({ ...installed.subgraphs, top: installed.definition }, 'top'));
    expect(after.problems).toEqual([]);
    expect(after.graph.nodes).toEqual(before.graph.nodes);
    expect(after.graph.nodes.map((n) => [n.id, n.params.text])).toEqual([['node/inner/inner/enc', 'red']]);
  });
});
