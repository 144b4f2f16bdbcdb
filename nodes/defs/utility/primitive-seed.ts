// Primitive Seed: one seed for several samplers, with the seed widget's controls (randomize / increment are
// applied to it at enqueue, so every sampler it feeds gets the same new seed). Resolved away before a run
// (engine/param-inputs.ts): its value is written into the params it feeds.
import { defineNode, param } from '../../define';

export const primitiveSeed = defineNode({
  type: 'primitive_seed',
  version: 1,
  title: 'Seed',
  category: 'utility',
  description: 'One seed shared by several samplers (convert their seed params to inputs and wire this in).',
  aliases: ['Primitive', 'Global Seed'],
  inputs: {},
  params: { value: param.seed({ label: 'seed' }) },
  outputs: { value: { type: 'INT', description: 'the seed, for params converted to inputs' } },
  async execute(_ctx, _inputs, params) {
    return { value: params.value };
  },
});
