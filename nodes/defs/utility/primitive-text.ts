// Primitive Text: one string typed once and wired into text params of several nodes (a shared prompt, a filename
// prefix, a scheduler name). Resolved away before a run (engine/param-inputs.ts).
import { defineNode, param } from '../../define';

export const primitiveText = defineNode({
  type: 'primitive_text',
  version: 1,
  title: 'Text',
  category: 'utility',
  description: 'Text to wire into text params of other nodes, e.g. one prompt for several encoders (convert the param to an input first).',
  aliases: ['PrimitiveString', 'PrimitiveStringMultiline', 'Primitive', 'String'],
  inputs: {},
  params: { value: param.text({ default: '', multiline: true, label: 'value' }) },
  outputs: { value: { type: 'STRING', description: 'the text, for params converted to inputs' } },
  async execute(_ctx, _inputs, params) {
    return { value: params.value };
  },
});
