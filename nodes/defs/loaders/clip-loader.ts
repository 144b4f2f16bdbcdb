// CLIP Loader: a lone text-encoder .onnx from models/text_encoders, tokenized with the bundled CLIP vocabulary.
import { defineNode, param } from '../../define';
import { loadClip } from '../../models/clip';
import { bundledTokenizer } from '../../text';

export const clipLoader = defineNode({
  type: 'clip_loader',
  version: 1,
  title: 'CLIP Loader',
  category: 'loaders',
  description: 'Loads a CLIP text encoder .onnx (input_ids -> last_hidden_state) from models/text_encoders with the standard CLIP BPE vocabulary.',
  aliases: ['CLIPLoader', 'Load CLIP', 'CLIP Model'],
  inputs: {},
  params: {
    clip_name: param.model('text_encoders', { default: '', label: 'text encoder' }),
  },
  outputs: { clip: { type: 'CLIP' } },
  files: (p, { models }) => [models.resolve('text_encoders', p.clip_name)],
  async execute(ctx, _inputs, p) {
    const file = ctx.models.resolve('text_encoders', p.clip_name);
    return { clip: await loadClip(ctx.runtime, bundledTokenizer(), { name: p.clip_name, file }) };
  },
});
