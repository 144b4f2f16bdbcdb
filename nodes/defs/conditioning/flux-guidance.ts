// Flux Guidance: the guidance strength a guidance-distilled Flux model (FLUX.1-dev) takes as an input, set on the
// conditioning (ComfyUI's FluxGuidance). It replaces CFG for such models: run their sampler at cfg 1.
import { defineNode, param } from '../../define';

export const fluxGuidance = defineNode({
  type: 'flux_guidance',
  version: 1,
  title: 'Flux Guidance',
  category: 'conditioning',
  description: 'Embedded guidance for Flux-dev style models (default 3.5, as FluxPipeline); use cfg 1 on their sampler. Other models ignore it.',
  aliases: ['FluxGuidance'],
  inputs: { conditioning: { type: 'CONDITIONING' } },
  params: {
    guidance: param.float({ default: 3.5, min: 0, max: 100, step: 0.1 }),
  },
  outputs: { conditioning: { type: 'CONDITIONING' } },
  async execute(_ctx, { conditioning }, p) {
    return { conditioning: { ...conditioning, guidance: p.guidance } };
  },
});
