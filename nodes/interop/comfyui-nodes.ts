// The ComfyUI node classes StepFlow imports: per class, its StepFlow node type, how its link inputs
// and output indexes map to StepFlow sockets, and how its widget values become params.
import { FLOW_COMFY_NODES } from './comfyui-flow-nodes';
import { mapModelName, mapResizeKernel, mapSamplerName, mapScheduleName, mapSeed, type KnownModels } from './comfyui-values';

/** One ComfyUI node of an API-format workflow. */
export interface ComfyApiNode {
  class_type: string;
  inputs: Record<string, unknown>;
  _meta?: { title?: string };
}

export interface ParamContext {
  /** A widget value; undefined when absent or wired to another node (StepFlow params are not wired). */
  value(name: string): unknown;
  /** The node a link input comes from, if it is in the workflow. */
  source(input: string): ComfyApiNode | undefined;
  warn(message: string): void;
  models?: KnownModels;
  /** The workflow's nodes of a class (e.g. the checkpoint whose text encoders a CLIP loader stands for). */
  ofClass?(classType: string): ComfyApiNode[];
}

export interface ComfyNodeMapping {
  type: string;
  /** ComfyUI's default title; a different _meta.title becomes the StepFlow node title. */
  displayName: string;
  /** Readable node id, used when no other imported node claims the same one. */
  idHint?: string;
  /** ComfyUI link input name -> StepFlow input socket. */
  inputs: Record<string, string>;
  /** ComfyUI output index -> StepFlow output socket; null where StepFlow has no equivalent. */
  outputs: readonly (string | null)[];
  params(ctx: ParamContext): Record<string, unknown>;
}

/** StepFlow's sampler schedules at most this many steps. */
const MAX_STEPS = 1000;
const MAX_STEP_INDEX = 10000;

/** ComfyUI's sampler settings shared by KSampler and KSamplerAdvanced. */
function samplerBase(ctx: ParamContext, seedInput: string): Record<string, unknown> {
  const samplerName = ctx.value('sampler_name');
  const sampler = typeof samplerName === 'string' ? mapSamplerName(samplerName, ctx.warn) : samplerName;
  const schedule = ctx.value('scheduler');
  return {
    seed: mapSeed(ctx.value(seedInput), ctx.warn),
    steps: ctx.value('steps'),
    cfg: ctx.value('cfg'),
    sampler,
    scheduler: typeof schedule === 'string' ? mapScheduleName(schedule, String(sampler), ctx.warn) : schedule,
    // ComfyUI draws the initial noise with torch.manual_seed(seed) + torch.randn on the CPU.
    noise: 'torch',
  };
}

/**
 * ComfyUI runs denoise d over `steps` as the last `steps` steps of an int(steps / d) step schedule;
 * StepFlow's denoise follows diffusers instead, so the window is carried over as explicit steps.
 */
function denoiseWindow(steps: unknown, denoise: unknown, warn: ParamContext['warn']): Record<string, unknown> {
  if (typeof denoise !== 'number' || denoise >= 0.9999 || typeof steps !== 'number' || steps < 1 || denoise <= 0) return { denoise };
  const total = Math.floor(steps / denoise);
  if (total > MAX_STEPS) {
    warn(`denoise ${denoise} over ${steps} steps needs a ${total}-step schedule (max ${MAX_STEPS}); imported as StepFlow denoise, which runs fewer steps`);
    return { denoise };
  }
  warn(`denoise ${denoise} over ${steps} steps imported as steps ${total} from step ${total - steps} (ComfyUI's schedule)`);
  return { steps: total, start_step: total - steps, denoise: 1 };
}

function enabled(v: unknown): unknown {
  return v === 'enable' ? true : v === 'disable' ? false : v;
}

/** StepFlow adds noise unless the latent carries leftover noise; say so where ComfyUI's flag disagrees. */
function checkAddNoise(ctx: ParamContext): void {
  const addNoise = ctx.value('add_noise');
  const src = ctx.source('latent_image');
  const leftover = src?.class_type === 'KSamplerAdvanced' && src.inputs.return_with_leftover_noise === 'enable';
  if (addNoise === 'disable' && !leftover) {
    ctx.warn('add_noise "disable" on a latent without leftover noise: StepFlow adds noise to it as for any clean latent');
  } else if (addNoise === 'enable' && leftover) {
    ctx.warn('add_noise "enable" on a leftover-noise latent: StepFlow continues it without adding fresh noise');
  }
}

export const COMFY_NODES: Readonly<Record<string, ComfyNodeMapping>> = {
  CheckpointLoaderSimple: {
    type: 'checkpoint_loader', displayName: 'Load Checkpoint', idHint: 'checkpoint',
    inputs: {}, outputs: ['model', 'clip', 'vae'],
    params: (ctx) => {
      const name = ctx.value('ckpt_name');
      return { ckpt_name: typeof name === 'string' ? mapModelName('checkpoints', name, ctx.models, ctx.warn) : name };
    },
  },
  CLIPTextEncode: {
    type: 'text_encoder', displayName: 'CLIP Text Encode (Prompt)',
    inputs: { clip: 'clip' }, outputs: ['conditioning'],
    params: (ctx) => ({ text: ctx.value('text') }),
  },
  CLIPTextEncodeSDXL: {
    type: 'text_encoder_sdxl', displayName: 'CLIPTextEncodeSDXL',
    inputs: { clip: 'clip' }, outputs: ['conditioning'],
    params: (ctx) => {
      const [g, l] = [ctx.value('text_g'), ctx.value('text_l')];
      // text_l goes to CLIP-L and text_g to CLIP-G; StepFlow's empty text_l means text_g for both, so an equal
      // text_l stays empty (the same conditioning), and an empty one beside a non-empty text_g cannot be said.
      if (l === '' && typeof g === 'string' && g !== '') ctx.warn('text_l is empty: ComfyUI encodes an empty prompt with CLIP-L, StepFlow encodes text_g with both SDXL encoders');
      return {
        text: g, text_l: typeof l === 'string' && l !== g ? l : '', width: ctx.value('width'), height: ctx.value('height'), crop_w: ctx.value('crop_w'), crop_h: ctx.value('crop_h'),
        target_width: ctx.value('target_width'), target_height: ctx.value('target_height'),
      };
    },
  },
  CLIPTextEncodeSDXLRefiner: {
    type: 'text_encoder_sdxl', displayName: 'CLIPTextEncodeSDXLRefiner',
    inputs: { clip: 'clip' }, outputs: ['conditioning'],
    params: (ctx) => ({ text: ctx.value('text'), width: ctx.value('width'), height: ctx.value('height'), aesthetic_score: ctx.value('ascore') }),
  },
  CLIPSetLastLayer: {
    type: 'clip_set_last_layer', displayName: 'CLIP Set Last Layer', idHint: 'clip_skip',
    inputs: { clip: 'clip' }, outputs: ['clip'],
    params: (ctx) => ({ stop_at_clip_layer: ctx.value('stop_at_clip_layer') }),
  },
  KSampler: {
    type: 'sampler', displayName: 'KSampler', idHint: 'sampler',
    inputs: { model: 'model', positive: 'positive', negative: 'negative', latent_image: 'latent' }, outputs: ['latent'],
    params: (ctx) => {
      const base = samplerBase(ctx, 'seed');
      return { ...base, ...denoiseWindow(base.steps, ctx.value('denoise'), ctx.warn) };
    },
  },
  KSamplerAdvanced: {
    type: 'sampler', displayName: 'KSampler (Advanced)', idHint: 'sampler',
    inputs: { model: 'model', positive: 'positive', negative: 'negative', latent_image: 'latent' }, outputs: ['latent'],
    params: (ctx) => {
      checkAddNoise(ctx);
      const end = ctx.value('end_at_step');
      return {
        ...samplerBase(ctx, 'noise_seed'),
        denoise: 1,
        start_step: ctx.value('start_at_step'),
        // ComfyUI's "to the end" is 10000 as well; larger values mean the same.
        end_step: typeof end === 'number' ? Math.min(end, MAX_STEP_INDEX) : end,
        return_leftover_noise: enabled(ctx.value('return_with_leftover_noise')),
      };
    },
  },
  ...FLOW_COMFY_NODES,
  EmptyLatentImage: {
    type: 'empty_latent', displayName: 'Empty Latent Image', idHint: 'latent',
    inputs: {}, outputs: ['latent'],
    params: (ctx) => ({ width: ctx.value('width'), height: ctx.value('height'), batch_size: ctx.value('batch_size') }),
  },
  VAEDecode: {
    type: 'vae_decode', displayName: 'VAE Decode', idHint: 'decode',
    inputs: { samples: 'latent', vae: 'vae' }, outputs: ['image'],
    params: () => ({}),
  },
  VAEEncode: {
    type: 'vae_encode', displayName: 'VAE Encode', idHint: 'encode',
    inputs: { pixels: 'image', vae: 'vae' }, outputs: ['latent'],
    params: () => ({}),
  },
  VAEEncodeForInpaint: {
    type: 'vae_encode_inpaint', displayName: 'VAE Encode (for Inpainting)', idHint: 'encode',
    inputs: { pixels: 'image', vae: 'vae', mask: 'mask' }, outputs: ['latent'],
    params: (ctx) => ({ grow_mask_by: ctx.value('grow_mask_by') }),
  },
  SetLatentNoiseMask: {
    type: 'set_latent_noise_mask', displayName: 'Set Latent Noise Mask', idHint: 'noise_mask',
    inputs: { samples: 'latent', mask: 'mask' }, outputs: ['latent'],
    params: () => ({}),
  },
  LoadImage: {
    type: 'load_image', displayName: 'Load Image', idHint: 'image',
    inputs: {}, outputs: ['image', 'mask'],
    params: (ctx) => {
      const image = ctx.value('image');
      // The UI may annotate the folder: "photo.png [input]".
      return { image: typeof image === 'string' ? image.replace(/ \[(input|output|temp)\]$/, '') : image };
    },
  },
  SaveImage: {
    type: 'save_image', displayName: 'Save Image', idHint: 'save',
    inputs: { images: 'images' }, outputs: [],
    params: (ctx) => ({ filename_prefix: ctx.value('filename_prefix'), format: 'png' }),
  },
  PreviewImage: {
    type: 'preview_image', displayName: 'Preview Image', idHint: 'preview',
    inputs: { images: 'images' }, outputs: [],
    params: () => ({}),
  },
  LoraLoader: {
    type: 'lora_loader', displayName: 'Load LoRA', idHint: 'lora',
    inputs: { model: 'model', clip: 'clip' }, outputs: ['model', 'clip'],
    params: (ctx) => {
      const name = ctx.value('lora_name');
      return {
        lora_name: typeof name === 'string' ? mapModelName('loras', name, ctx.models, ctx.warn) : name,
        strength_model: ctx.value('strength_model'),
        strength_clip: ctx.value('strength_clip'),
      };
    },
  },
  LoraLoaderModelOnly: {
    type: 'lora_loader', displayName: 'LoraLoaderModelOnly', idHint: 'lora',
    inputs: { model: 'model' }, outputs: ['model'],
    params: (ctx) => {
      const name = ctx.value('lora_name');
      return {
        lora_name: typeof name === 'string' ? mapModelName('loras', name, ctx.models, ctx.warn) : name,
        strength_model: ctx.value('strength_model'),
        strength_clip: 0,
      };
    },
  },
  UpscaleModelLoader: {
    type: 'upscaler_loader', displayName: 'Load Upscale Model', idHint: 'upscale_model',
    inputs: {}, outputs: ['upscale_model'],
    params: (ctx) => {
      const name = ctx.value('model_name');
      return { model_name: typeof name === 'string' ? mapModelName('upscalers', name, ctx.models, ctx.warn) : name };
    },
  },
  ImageUpscaleWithModel: {
    type: 'upscale_image', displayName: 'Upscale Image (using Model)', idHint: 'upscaler',
    inputs: { upscale_model: 'upscale_model', image: 'image' }, outputs: ['image'],
    params: () => ({ mode: 'model', scale: 1 }),
  },
  ImageScale: {
    type: 'resize', displayName: 'Upscale Image', idHint: 'resize',
    inputs: { image: 'image' }, outputs: ['image'],
    params: (ctx) => {
      const method = ctx.value('upscale_method');
      const [width, height] = [ctx.value('width'), ctx.value('height')];
      if (ctx.value('crop') === 'center') ctx.warn('crop "center" is not supported: the image is stretched to the new size');
      return {
        width, height,
        // Both 0 leaves the size unchanged in ComfyUI; StepFlow reads that as "use scale".
        ...(width === 0 && height === 0 ? { scale: 1 } : {}),
        kernel: typeof method === 'string' ? mapResizeKernel(method, ctx.warn) : method,
      };
    },
  },
  LatentUpscale: {
    type: 'latent_upscale', displayName: 'Upscale Latent', idHint: 'latent_upscale',
    inputs: { samples: 'latent' }, outputs: ['latent'],
    params: (ctx) => {
      const [width, height] = [ctx.value('width'), ctx.value('height')];
      if (ctx.value('crop') === 'center') ctx.warn('crop "center" is not supported: the latent is stretched to the new size');
      return { width, height, ...(width === 0 && height === 0 ? { scale: 1 } : {}), method: latentMethod(ctx) };
    },
  },
  LatentUpscaleBy: {
    type: 'latent_upscale', displayName: 'Upscale Latent By', idHint: 'latent_upscale',
    inputs: { samples: 'latent' }, outputs: ['latent'],
    params: (ctx) => ({ width: 0, height: 0, scale: ctx.value('scale_by'), method: latentMethod(ctx) }),
  },
  ControlNetLoader: {
    type: 'controlnet_loader', displayName: 'Load ControlNet Model', idHint: 'controlnet',
    inputs: {}, outputs: ['control_net'],
    params: (ctx) => {
      const name = ctx.value('control_net_name');
      return { control_net_name: typeof name === 'string' ? mapModelName('controlnet', name, ctx.models, ctx.warn) : name };
    },
  },
  ControlNetApplyAdvanced: {
    type: 'apply_controlnet', displayName: 'Apply ControlNet', idHint: 'apply_controlnet',
    inputs: { positive: 'positive', negative: 'negative', control_net: 'control_net', image: 'image' }, outputs: ['positive', 'negative'],
    params: (ctx) => {
      if (ctx.source('vae')) ctx.warn('Apply ControlNet: the vae input (for ControlNets that encode their hint) is not used');
      return { strength: ctx.value('strength'), start_percent: ctx.value('start_percent'), end_percent: ctx.value('end_percent') };
    },
  },
  // The old node steers one conditioning for the whole schedule: the same node with its negative left unwired.
  ControlNetApply: {
    type: 'apply_controlnet', displayName: 'Apply ControlNet (OLD)', idHint: 'apply_controlnet',
    inputs: { conditioning: 'positive', control_net: 'control_net', image: 'image' }, outputs: ['positive'],
    params: (ctx) => ({ strength: ctx.value('strength'), start_percent: 0, end_percent: 1 }),
  },
  Canny: {
    type: 'canny', displayName: 'Canny', idHint: 'canny',
    inputs: { image: 'image' }, outputs: ['image'],
    params: (ctx) => ({ low_threshold: ctx.value('low_threshold'), high_threshold: ctx.value('high_threshold') }),
  },
  ImageCrop: {
    type: 'crop', displayName: 'ImageCrop', idHint: 'crop',
    inputs: { image: 'image' }, outputs: ['image'],
    params: (ctx) => ({ x: ctx.value('x'), y: ctx.value('y'), width: ctx.value('width'), height: ctx.value('height') }),
  },
  ImageScaleBy: {
    type: 'resize', displayName: 'Upscale Image By', idHint: 'resize',
    inputs: { image: 'image' }, outputs: ['image'],
    params: (ctx) => {
      const method = ctx.value('upscale_method');
      return { width: 0, height: 0, scale: ctx.value('scale_by'), kernel: typeof method === 'string' ? mapResizeKernel(method, ctx.warn) : method };
    },
  },
};

/** ComfyUI's latent upscale methods: "nearest-exact" is StepFlow's nearest; area and bislerp have no equivalent here. */
function latentMethod(ctx: ParamContext): string {
  const m = ctx.value('upscale_method');
  if (m === 'nearest-exact') return 'nearest';
  if (m === 'bilinear' || m === 'bicubic') return m;
  ctx.warn(`upscale method "${String(m)}" is not supported: bilinear is used`);
  return 'bilinear';
}

/** The ComfyUI class names and default titles that import as StepFlow node `type` (search aliases). */
export function comfyNamesFor(type: string): string[] {
  return Object.entries(COMFY_NODES).filter(([, m]) => m.type === type).flatMap(([cls, m]) => [cls, m.displayName]);
}
