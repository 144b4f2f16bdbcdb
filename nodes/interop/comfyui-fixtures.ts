// Test fixtures: ComfyUI API-format workflows as ComfyUI's "Save (API Format)" writes them, with the
// built-in sprites model's names and sizes.

export type ComfyPrompt = Record<string, { class_type: string; inputs: Record<string, unknown>; _meta?: { title: string } }>;

/** ComfyUI's default graph (same node ids 3-9) on the sprites checkpoint. */
export function comfyTxt2img(prompt = 'red circle on blue background', negative = ''): ComfyPrompt {
  return {
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: 42, steps: 20, cfg: 7.5, sampler_name: 'euler', scheduler: 'normal', denoise: 1,
        model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0],
      },
      _meta: { title: 'KSampler' },
    },
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sprites.safetensors' }, _meta: { title: 'Load Checkpoint' } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 256, height: 256, batch_size: 1 }, _meta: { title: 'Empty Latent Image' } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: prompt, clip: ['4', 1] }, _meta: { title: 'CLIP Text Encode (Prompt)' } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: negative, clip: ['4', 1] }, _meta: { title: 'CLIP Text Encode (Prompt)' } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] }, _meta: { title: 'VAE Decode' } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] }, _meta: { title: 'Save Image' } },
  };
}

/** Base pass to step 14 handing leftover noise to a second KSamplerAdvanced that finishes the schedule. */
export function comfyTwoPass(prompt = 'red circle on blue background'): ComfyPrompt {
  const wf = comfyTxt2img(prompt);
  delete wf['3'];
  const shared = { noise_seed: 42, steps: 20, cfg: 7.5, sampler_name: 'euler', scheduler: 'normal', model: ['4', 0], positive: ['6', 0], negative: ['7', 0] };
  wf['10'] = {
    class_type: 'KSamplerAdvanced',
    inputs: { ...shared, add_noise: 'enable', start_at_step: 0, end_at_step: 14, return_with_leftover_noise: 'enable', latent_image: ['5', 0] },
  };
  wf['11'] = {
    class_type: 'KSamplerAdvanced',
    inputs: { ...shared, add_noise: 'disable', start_at_step: 14, end_at_step: 10000, return_with_leftover_noise: 'disable', latent_image: ['10', 0] },
  };
  wf['8'].inputs.samples = ['11', 0];
  return wf;
}

/** Two LoRAs chained between the checkpoint and the sampler / text encoders. */
export function comfyLoraChain(): ComfyPrompt {
  const wf = comfyTxt2img();
  wf['10'] = {
    class_type: 'LoraLoader',
    inputs: { lora_name: 'sprites-palette.safetensors', strength_model: 1, strength_clip: 1, model: ['4', 0], clip: ['4', 1] },
  };
  wf['11'] = {
    class_type: 'LoraLoader',
    inputs: { lora_name: 'sprites-palette.safetensors', strength_model: 0.5, strength_clip: 0.25, model: ['10', 0], clip: ['10', 1] },
  };
  wf['3'].inputs.model = ['11', 0];
  wf['6'].inputs.clip = ['11', 1];
  wf['7'].inputs.clip = ['11', 1];
  return wf;
}
