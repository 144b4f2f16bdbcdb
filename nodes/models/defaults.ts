// What a loose model file (no diffusers folder around it) is assumed to be: Stable Diffusion 1.5.

/** SD1.5's scheduler/scheduler_config.json (runwayml/stable-diffusion-v1-5). */
export const SD15_SCHEDULER_CONFIG: Readonly<Record<string, unknown>> = Object.freeze({
  _class_name: 'PNDMScheduler',
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  num_train_timesteps: 1000,
  set_alpha_to_one: false,
  steps_offset: 1,
  skip_prk_steps: true,
  clip_sample: false,
  prediction_type: 'epsilon',
});

/** SD1.x/2.x VAE: latents are scaled by this after encoding and divided by it before decoding. */
export const SD_VAE_SCALING_FACTOR = 0.18215;

export const SD_LATENT_CHANNELS = 4;
