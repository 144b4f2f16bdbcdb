// Test fixture: a subgraph definition whose one node is the subgraph `key` (a text encoder's CLIP in, CONDITIONING
// out), for nesting library subgraphs in engine and router tests.
import type { SubgraphDefinition } from '../graph';

export const wrapperDefinition = (name: string, key: string): SubgraphDefinition => ({
  name,
  nodes: [{ id: 'inner', type: 'subgraph', typeVersion: 1, params: {}, subgraph: key }],
  edges: [],
  inputs: [{ name: 'clip', type: 'CLIP', to: [{ node: 'inner', input: 'clip' }] }],
  outputs: [{ name: 'conditioning', type: 'CONDITIONING', from: { node: 'inner', output: 'conditioning' } }],
  params: [],
});
