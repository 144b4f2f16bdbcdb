// What the specs run, in one place: switch these when the model pack lands.
// (txt2img.json with a sampler that streams previews; a LATENT->IMAGE mismatch to refuse.)

/** The template a newcomer opens first (workflows/<file>). Model pack: 'txt2img.json'. */
export const NEWCOMER_TEMPLATE = 'txt2img.json';

/** Node type whose live preview must show >= 3 distinct frames during a run; null = no sampler yet. */
export const PREVIEW_NODE_TYPE: string | null = 'sampler';

/**
 * A connection of two different socket types the editor must refuse, as palette node types and
 * socket names (null would leave only the self-loop refusal). Model pack: empty_latent.latent -> save_image.images.
 */
export const WRONG_TYPE_CONNECTION: { from: string; output: string; to: string; input: string; reason: RegExp } | null = {
  from: 'upscaler_loader', output: 'upscale_model', to: 'save_image', input: 'images',
  reason: /UPSCALE_MODEL output .* cannot connect to IMAGE input/,
};

/**
 * The Stop spec's long run. null: a chain of big resizes (cancellation between nodes).
 * Model pack: { template: 'txt2img.json', samplerNodeId: 'sampler', steps: 300 } -- the run must
 * stop within one sampler step of pressing Stop.
 */
export const SAMPLER_STOP: { template: string; samplerNodeId: string; steps: number } | null = { template: 'txt2img.json', samplerNodeId: 'sampler', steps: 300 };
