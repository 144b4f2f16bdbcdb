// Reroute: a dot on a wire that carries whatever feeds it (any socket type), to route long wires tidily.
// The engine resolves reroutes away before validation and execution (engine/reroute.ts), so `execute` never runs.
import { defineNode } from '../../define';

export const reroute = defineNode({
  type: 'reroute',
  version: 1,
  title: 'Reroute',
  category: 'utility',
  description: 'A dot on a wire: passes whatever reaches it on to every node it feeds (Alt-click a wire to add one).',
  aliases: ['Dot', 'Wire knot'],
  inputs: { input: { type: 'ANY', description: 'any value; the reroute takes its type' } },
  params: {},
  outputs: { output: { type: 'ANY', description: 'the value that came in' } },
  async execute(_ctx, inputs) {
    return { output: inputs.input };
  },
});
