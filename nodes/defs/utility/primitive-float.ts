// Primitive Float: one number typed once and wired into float params of several nodes (cfg, denoise, ...).
// Resolved away before a run (engine/param-inputs.ts): its value is written into the params it feeds.
import { defineNode, param } from '../../define';

export const primitiveFloat = defineNode({
  type: 'primitive_float',
  version: 1,
  title: 'Float',
  category: 'utility',
  description: 'A number to wire into decimal params of other nodes (convert the param to an input first).',
  aliases: ['PrimitiveFloat', 'Primitive'],
  inputs: {},
  params: { value: param.float({ default: 0, step: 0.01, label: 'value' }) },
  outputs: { value: { type: 'FLOAT', description: 'the number, for params converted to inputs' } },
  async execute(_ctx, _inputs, params) {
    return { value: params.value };
  },
});
