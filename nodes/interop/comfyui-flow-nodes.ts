// The ComfyUI classes of SD3 and Flux workflows. ComfyUI loads their text encoders as separate files
// (TripleCLIPLoader: CLIP-L, CLIP-G, T5; DualCLIPLoader: T5 + CLIP-L for Flux); a StepFlow SD3/Flux checkpoint folder
// carries its own (text_encoder*/), so those loaders import as the workflow's checkpoint, read for its CLIP output.
import type { ComfyNodeMapping, ParamContext } from './comfyui-nodes';
import { mapModelName } from './comfyui-values';

/** The ckpt_name of the workflow's checkpoint, when it has exactly one. */
function checkpointOfWorkflow(ctx: ParamContext, files: string): unknown {
  const loaders = ctx.ofClass?.('CheckpointLoaderSimple') ?? [];
  const names = [...new Set(loaders.map((n) => n.inputs.ckpt_name).filter((v): v is string => typeof v === 'string'))];
  if (names.length !== 1) {
    ctx.warn(`text encoders ${files} imported as a Checkpoint Loader for its CLIP output; pick the SD3/Flux checkpoint whose text_encoder folders to use`);
    return undefined;
  }
  const name = mapModelName('checkpoints', names[0], ctx.models, () => {});
  ctx.warn(`text encoders ${files} imported as the text encoders of checkpoint "${name}" (StepFlow's SD3/Flux checkpoint folders carry CLIP-L, CLIP-G and T5 themselves)`);
  return name;
}

function clipFiles(ctx: ParamContext, inputs: string[]): string {
  return inputs.map((i) => ctx.value(i)).filter((v) => typeof v === 'string').join(', ');
}

export const FLOW_COMFY_NODES: Readonly<Record<string, ComfyNodeMapping>> = {
  TripleCLIPLoader: {
    type: 'checkpoint_loader', displayName: 'TripleCLIPLoader', idHint: 'text_encoders',
    inputs: {}, outputs: ['clip'],
    params: (ctx) => ({ ckpt_name: checkpointOfWorkflow(ctx, clipFiles(ctx, ['clip_name1', 'clip_name2', 'clip_name3'])) }),
  },
  DualCLIPLoader: {
    type: 'checkpoint_loader', displayName: 'DualCLIPLoader', idHint: 'text_encoders',
    inputs: {}, outputs: ['clip'],
    params: (ctx) => {
      const kind = ctx.value('type');
      if (kind !== undefined && kind !== 'flux' && kind !== 'sd3') ctx.warn(`type "${String(kind)}": StepFlow reads the text encoders from the checkpoint folder, whatever its family`);
      return { ckpt_name: checkpointOfWorkflow(ctx, clipFiles(ctx, ['clip_name1', 'clip_name2'])) };
    },
  },
  EmptySD3LatentImage: {
    type: 'empty_sd3_latent', displayName: 'EmptySD3LatentImage', idHint: 'latent',
    inputs: {}, outputs: ['latent'],
    params: (ctx) => ({ width: ctx.value('width'), height: ctx.value('height'), batch_size: ctx.value('batch_size') }),
  },
  ModelSamplingSD3: {
    type: 'model_sampling_sd3', displayName: 'ModelSamplingSD3', idHint: 'model_sampling',
    inputs: { model: 'model' }, outputs: ['model'],
    params: (ctx) => ({ shift: ctx.value('shift') }),
  },
  FluxGuidance: {
    type: 'flux_guidance', displayName: 'FluxGuidance', idHint: 'flux_guidance',
    inputs: { conditioning: 'conditioning' }, outputs: ['conditioning'],
    params: (ctx) => ({ guidance: ctx.value('guidance') }),
  },
};
