// Conditioning Re-encode: the prompt a CONDITIONING was made from, encoded again with another CLIP. An SDXL refiner has its
// own text encoder (text_encoder_2 alone, a narrower context), so the refiner stage re-encodes the base prompts and
// one prompt box drives both stages.
import { defineNode } from '../../define';
import { encodePrompt } from './text-encoder';

export const reencodePrompt = defineNode({
  type: 'reencode_prompt',
  version: 1,
  title: 'Conditioning Re-encode',
  category: 'conditioning',
  description: 'Encodes the prompt of a conditioning again with another CLIP, e.g. an SDXL refiner\'s: the refiner stage then follows the base prompt. SDXL size settings are kept.',
  inputs: {
    clip: { type: 'CLIP', description: 'the encoder of the model that will use the conditioning' },
    conditioning: { type: 'CONDITIONING', description: 'its prompt text is encoded again' },
  },
  params: {},
  outputs: { conditioning: { type: 'CONDITIONING' } },
  async execute(ctx, { clip, conditioning }) {
    const encoded = await encodePrompt(ctx, clip, conditioning.prompt);
    return { conditioning: conditioning.sdxlSizes ? { ...encoded, sdxlSizes: conditioning.sdxlSizes } : encoded };
  },
});
