// Primitive Int: one whole number typed once and wired into params of several nodes (steps, width, ...).
// Resolved away before a run (engine/param-inputs.ts): its value is written into the params it feeds.
import { defineNode, param } from '../../define';

export const primitiveInt = defineNode({
  type: 'primitive_int',
  version: 1,
  title: 'Int',
  category: 'utility',
  description: 'A whole number to wire into integer params of other nodes (convert the param to an input first).',
  aliases: ['PrimitiveInt', 'Primitive', 'Integer'],
  inputs: {},
  params: { value: param.int({ default: 0, label: 'value' }) },
  outputs: { value: { type: 'INT', description: 'the number, for params converted to inputs' } },
  async execute(_ctx, _inputs, params) {
    return { value: params.value };
  },
});
