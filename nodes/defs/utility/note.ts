// Note: text on the canvas for the people reading the graph (what a group of nodes does, which prompt worked).
// No sockets and not an output, so no run ever includes it.
import { defineNode, param } from '../../define';

export const note = defineNode({
  type: 'note',
  version: 1,
  title: 'Note',
  category: 'utility',
  description: 'A text note on the canvas; it never runs.',
  aliases: ['MarkdownNote', 'Comment'],
  inputs: {},
  params: {
    text: param.text({ default: '', multiline: true, maxLength: 20_000, label: 'note' }),
  },
  outputs: {},
  async execute() {
    return {};
  },
});
