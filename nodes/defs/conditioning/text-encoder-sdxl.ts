// Text Encoder (SDXL): a prompt through CLIP, plus SDXL's size conditioning (ComfyUI's CLIPTextEncodeSDXL and
// CLIPTextEncodeSDXLRefiner): the original size and crop the U-Net is told the image had, the target size, and the
// refiner's aesthetic score. 0 leaves a value at diffusers' default (nodes/models/sdxl-time-ids.ts). `text_l`, when
// set, is CLIP-L's own prompt (ComfyUI's text_l; `text` is then text_g, CLIP-G's); empty, both encoders read `text`.
import { defineNode, param } from '../../define';
import { embeddingFileName, embeddingNames } from '../../models/embeddings';
import { SdxlClip } from '../../models/sdxl-clip';
import type { SdxlSizes } from '../../models/sdxl-time-ids';
import { encodePrompt, withPromptEmbeddings } from './text-encoder';

const size = (label: string) => param.int({ default: 0, min: 0, max: 16384, step: 8, label, description: '0: the image size' });

export const textEncoderSdxl = defineNode({
  type: 'text_encoder_sdxl',
  version: 1,
  title: 'Text Encoder (SDXL)',
  category: 'conditioning',
  description: 'Encodes a prompt like Text Encoder and sets SDXL\'s size conditioning: the original size and crop the model is told the image had, ' +
    'the target size, and the refiner\'s aesthetic score (0: 6 for a positive prompt, 2.5 for a negative one).',
  inputs: { clip: { type: 'CLIP' } },
  params: {
    text: param.text({ default: '', multiline: true, maxLength: 20_000, label: 'prompt' }),
    text_l: param.text({ default: '', multiline: true, maxLength: 20_000, label: 'CLIP-L prompt', description: 'empty: the prompt above for both encoders; set: CLIP-L reads this, CLIP-G the prompt above (ComfyUI\'s text_l / text_g)' }),
    width: size('original width'),
    height: size('original height'),
    crop_w: param.int({ default: 0, min: 0, max: 16384, step: 8, label: 'crop left' }),
    crop_h: param.int({ default: 0, min: 0, max: 16384, step: 8, label: 'crop top' }),
    target_width: size('target width'),
    target_height: size('target height'),
    aesthetic_score: param.float({ default: 0, min: 0, max: 10, step: 0.5, label: 'aesthetic score', description: 'refiner only; 0: 6 positive, 2.5 negative' }),
  },
  outputs: { conditioning: { type: 'CONDITIONING' } },
  files: (p, { models }) => [...new Set([...embeddingNames(p.text), ...embeddingNames(p.text_l)])].map((name) => models.resolve('embeddings', embeddingFileName(name))),
  async execute(ctx, { clip }, p) {
    if (!(clip instanceof SdxlClip)) ctx.warn(`CLIP "${clip.name}" is not an SDXL encoder: only SDXL U-Nets use the size conditioning`);
    const sizes: SdxlSizes = {};
    const set = (key: keyof SdxlSizes, v: number, always = false) => {
      if (v > 0 || always) sizes[key] = v;
    };
    set('originalWidth', p.width);
    set('originalHeight', p.height);
    set('cropLeft', p.crop_w, true);
    set('cropTop', p.crop_h, true);
    set('targetWidth', p.target_width);
    set('targetHeight', p.target_height);
    set('aestheticScore', p.aesthetic_score);
    if (p.text_l !== '' && !(clip instanceof SdxlClip && clip.first)) {
      // ComfyUI's refiner model drops the l tokens too.
      ctx.warn(`CLIP "${clip.name}" has no separate CLIP-L encoder (an SDXL base checkpoint has one): the CLIP-L prompt is ignored`);
    }
    if (p.text_l === '' || !(clip instanceof SdxlClip && clip.first)) return { conditioning: { ...(await encodePrompt(ctx, clip, p.text)), sdxlSizes: sizes } };
    const encoder = await withPromptEmbeddings(ctx, clip, [p.text, p.text_l]);
    return { conditioning: { ...(await encoder.encodeSdxl(p.text, p.text_l, ctx.signal, ctx.promptCache)), sdxlSizes: sizes } };
  },
});
