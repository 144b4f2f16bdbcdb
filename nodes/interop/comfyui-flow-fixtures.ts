// Test fixtures: SD3.5 and Flux workflows in ComfyUI's API format, shaped as ComfyUI's published examples
// (comfyanonymous.github.io/ComfyUI_examples: sd3 / flux): separate text-encoder loaders, EmptySD3LatentImage,
// ModelSamplingSD3 with shift 3 and KSampler on sgm_uniform for SD3.5; FluxGuidance 3.5 and cfg 1 for Flux.
import type { ComfyPrompt } from './comfyui-fixtures';

export function comfySd35(opts: { ckpt?: string; size?: number; steps?: number } = {}): ComfyPrompt {
  const size = opts.size ?? 1024;
  return {
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: 585457106, steps: opts.steps ?? 30, cfg: 5.5, sampler_name: 'euler', scheduler: 'sgm_uniform', denoise: 1,
        model: ['13', 0], positive: ['16', 0], negative: ['40', 0], latent_image: ['53', 0],
      },
      _meta: { title: 'KSampler' },
    },
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: opts.ckpt ?? 'sd3.5_large.safetensors' }, _meta: { title: 'Load Checkpoint' } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] }, _meta: { title: 'VAE Decode' } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] }, _meta: { title: 'Save Image' } },
    '11': {
      class_type: 'TripleCLIPLoader',
      inputs: { clip_name1: 'clip_l.safetensors', clip_name2: 'clip_g.safetensors', clip_name3: 't5xxl_fp16.safetensors' },
      _meta: { title: 'TripleCLIPLoader' },
    },
    '13': { class_type: 'ModelSamplingSD3', inputs: { shift: 3, model: ['4', 0] }, _meta: { title: 'ModelSamplingSD3' } },
    '16': { class_type: 'CLIPTextEncode', inputs: { text: 'a bottle with a rainbow galaxy inside it on top of a wooden table', clip: ['11', 0] }, _meta: { title: 'Positive Prompt' } },
    '40': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['11', 0] }, _meta: { title: 'Negative Prompt' } },
    '53': { class_type: 'EmptySD3LatentImage', inputs: { width: size, height: size, batch_size: 1 }, _meta: { title: 'EmptySD3LatentImage' } },
  };
}

export function comfyFluxDev(opts: { ckpt?: string; size?: number; steps?: number } = {}): ComfyPrompt {
  const size = opts.size ?? 1024;
  return {
    '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a cute anime girl with massive fluffy fennec ears', clip: ['11', 0] }, _meta: { title: 'CLIP Text Encode (Positive Prompt)' } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['31', 0], vae: ['30', 2] }, _meta: { title: 'VAE Decode' } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] }, _meta: { title: 'Save Image' } },
    '11': { class_type: 'DualCLIPLoader', inputs: { clip_name1: 't5xxl_fp16.safetensors', clip_name2: 'clip_l.safetensors', type: 'flux' }, _meta: { title: 'DualCLIPLoader' } },
    '27': { class_type: 'EmptySD3LatentImage', inputs: { width: size, height: size, batch_size: 1 }, _meta: { title: 'EmptySD3LatentImage' } },
    '30': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: opts.ckpt ?? 'flux1-dev-fp8.safetensors' }, _meta: { title: 'Load Checkpoint' } },
    '31': {
      class_type: 'KSampler',
      inputs: {
        seed: 972054013131368, steps: opts.steps ?? 20, cfg: 1, sampler_name: 'euler', scheduler: 'simple', denoise: 1,
        model: ['30', 0], positive: ['35', 0], negative: ['33', 0], latent_image: ['27', 0],
      },
      _meta: { title: 'KSampler' },
    },
    '33': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['11', 0] }, _meta: { title: 'CLIP Text Encode (Negative Prompt)' } },
    '35': { class_type: 'FluxGuidance', inputs: { guidance: 3.5, conditioning: ['6', 0] }, _meta: { title: 'FluxGuidance' } },
  };
}
