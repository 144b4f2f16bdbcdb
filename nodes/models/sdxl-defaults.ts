// Stable Diffusion XL's published constants (stabilityai/stable-diffusion-xl-base-1.0 and -refiner-1.0 configs,
// diffusers' StableDiffusionXL pipelines), used by the tiny SDXL pack and the SDXL conditioning.

/** scheduler/scheduler_config.json of stable-diffusion-xl-base-1.0. */
export const SDXL_SCHEDULER_CONFIG: Readonly<Record<string, unknown>> = Object.freeze({
  _class_name: 'EulerDiscreteScheduler',
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  clip_sample: false,
  interpolation_type: 'linear',
  num_train_timesteps: 1000,
  prediction_type: 'epsilon',
  sample_max_value: 1.0,
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  timestep_spacing: 'leading',
  use_karras_sigmas: false,
});

/** vae/config.json scaling_factor of the SDXL VAE. */
export const SDXL_VAE_SCALING_FACTOR = 0.13025;

/** diffusers' StableDiffusionXLImg2ImgPipeline defaults: aesthetic_score and negative_aesthetic_score. */
export const SDXL_AESTHETIC_SCORE = 6.0;
export const SDXL_NEGATIVE_AESTHETIC_SCORE = 2.5;
