// CLIP Set Last Layer (CLIP skip): the text encoder's conditioning taken from an earlier layer, through the final
// layer norm, as ComfyUI's CLIPSetLastLayer and diffusers' clip_skip do for SD 1.x (nodes/models/clip-layers.ts);
// on SDXL both encoders at that layer without the norm, as ComfyUI's SDXLClipModel (nodes/models/sdxl-clip.ts).
import { defineNode, param } from '../../define';
import { NodeInputError } from '../../engine/errors';

export const clipSetLastLayer = defineNode({
  type: 'clip_set_last_layer',
  version: 1,
  title: 'CLIP Set Last Layer',
  category: 'conditioning',
  description: 'CLIP skip: -1 uses the last layer, -2 the one before (what many SD 1.5 fine-tunes expect). On SDXL it sets both encoders, whose default is -2. Needs a text encoder exported with its hidden states.',
  aliases: ['CLIPSetLastLayer', 'CLIP skip', 'clip_skip'],
  inputs: { clip: { type: 'CLIP' } },
  params: {
    stop_at_clip_layer: param.int({ default: -1, min: -24, max: -1, label: 'stop at layer' }),
  },
  outputs: { clip: { type: 'CLIP' } },
  async execute(_ctx, { clip }, p) {
    // -1 is no change for SD 1.x, but not for SDXL, whose encoders default to -2 (ComfyUI: -1 moves both to the last).
    if (!clip.withLastLayer) {
      if (p.stop_at_clip_layer === -1) return { clip };
      throw new NodeInputError('param_invalid', `CLIP "${clip.name}" cannot stop at an earlier layer`, 'stop_at_clip_layer');
    }
    return { clip: clip.withLastLayer(p.stop_at_clip_layer) };
  },
});
