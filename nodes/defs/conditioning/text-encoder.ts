// Text Encoder: CLIP + prompt -> CONDITIONING (77-token windows, (emphasis:1.2) and BREAK supported).
import { defineNode, param, type ExecuteContext } from '../../define';
import { NodeInputError } from '../../engine/errors';
import { embeddingFileName, embeddingNames, readTextualInversion } from '../../models/embeddings';
import type { ClipModel, ConditioningValue } from '../../values';

/** The encoder with the textual inversions the prompts name (itself when they name none). */
export async function withPromptEmbeddings<C extends ClipModel>(ctx: ExecuteContext, clip: C, texts: readonly string[], param = 'text'): Promise<C> {
  const names = [...new Set(texts.flatMap((t) => embeddingNames(t)))];
  if (!names.length) return clip;
  if (!clip.withEmbeddings) throw new NodeInputError('param_invalid', `CLIP "${clip.name}" cannot take textual-inversion embeddings`, param);
  return await clip.withEmbeddings(ctx.runtime, names.map((name) => readTextualInversion(name, ctx.models.resolve('embeddings', embeddingFileName(name))))) as C;
}

/** A prompt through CLIP, with the textual inversions it names (also used by Conditioning Re-encode). */
export async function encodePrompt(ctx: ExecuteContext, clip: ClipModel, text: string): Promise<ConditioningValue> {
  return (await withPromptEmbeddings(ctx, clip, [text])).encode(text, ctx.signal, ctx.promptCache);
}

export const textEncoder = defineNode({
  type: 'text_encoder',
  version: 1,
  title: 'Text Encoder',
  category: 'conditioning',
  description: 'Encodes a prompt with CLIP. (word:1.3) / (word) / [word] set emphasis, BREAK starts a new 77-token window; long prompts use several windows; embedding:name uses models/embeddings/name.safetensors.',
  aliases: ['Prompt', 'Compel'],
  inputs: { clip: { type: 'CLIP' } },
  params: {
    text: param.text({ default: '', multiline: true, maxLength: 20_000, label: 'prompt' }),
  },
  outputs: { conditioning: { type: 'CONDITIONING' } },
  files: (p, { models }) => embeddingNames(p.text).map((name) => models.resolve('embeddings', embeddingFileName(name))),
  async execute(ctx, { clip }, p) {
    return { conditioning: await encodePrompt(ctx, clip, p.text) };
  },
});
