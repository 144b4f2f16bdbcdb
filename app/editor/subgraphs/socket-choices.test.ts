// The opened subgraph's socket items on an inner node's menu: unwired inputs and unoffered outputs, and its sockets.
import { describe, expect, it } from 'vitest';
import type { SubgraphDefinition } from '../../../nodes/engine/graph';
import { socketChoices } from './socket-choices';

const def: SubgraphDefinition = {
  name: 'Stamp', edges: [], params: [], nodes: [],
  inputs: [{ name: 'base', type: 'IMAGE', to: [{ node: 'place', input: 'base' }] }],
  outputs: [{ name: 'out', type: 'IMAGE', from: { node: 'shrink', output: 'image' } }],
};
const composite = { inputs: [{ name: 'base' }, { name: 'overlay' }, { name: 'mask' }], outputs: [{ name: 'image' }] };

describe('socket choices of an inner node', () => {
  it('offers inputs fed by nothing, outputs not offered yet, and removal of its own sockets', () => {
    expect(socketChoices(def, 'place', composite, new Set(['mask']))).toEqual({ inputs: ['overlay'], outputs: ['image'], exposed: [{ side: 'input', name: 'base' }] });
    expect(socketChoices(def, 'shrink', { inputs: [{ name: 'image' }], outputs: [{ name: 'image' }] }, new Set(['image']))).toEqual({ inputs: [], outputs: [], exposed: [{ side: 'output', name: 'out' }] });
  });
});
