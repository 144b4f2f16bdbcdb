// Text Encoder: CLIP + prompt -> CONDITIONING (77-token windows, (emphasis:1.2) and BREAK supported).
import { defineNode, param } from '../../define';

export const textEncoder = defineNode({
  type: 'text_encoder',
  version: 1,
  title: 'Text Encoder',
  category: 'conditioning',
  description: 'Encodes a prompt with CLIP. (word:1.3) / (word) / [word] set emphasis, BREAK starts a new 77-token window; long prompts use several windows.',
  aliases: ['Prompt', 'Compel'],
  inputs: { clip: { type: 'CLIP' } },
  params: {
    text: param.text({ default: '', multiline: true, maxLength: 20_000, label: 'prompt' }),
  },
  outputs: { conditioning: { type: 'CONDITIONING' } },
  async execute(ctx, { clip }, p) {
    return { conditioning: await clip.encode(p.text, ctx.signal, ctx.promptCache) };
  },
});
