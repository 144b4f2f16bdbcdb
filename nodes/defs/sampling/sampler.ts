// Sampler: denoises a LATENT with a MODEL under positive/negative conditioning (CFG), any scheduler
// of the library, img2img strength, partial runs with leftover noise (refiner hand-off) and an
// optional adaptive early stop.
import { defineNode, param } from '../../define';
import { NodeInputError } from '../../engine/errors';
import { sampleLatent } from '../../models/sampling-run';
import { NOISE_MODES } from '../../sampling/noise';
import { SAMPLER_NAMES, SCHEDULE_NAMES, type SamplerName } from '../../sampling/schedulers';
import { runWithParamErrors } from '../../models/param-errors';

const SAMPLERS = SAMPLER_NAMES as unknown as readonly [SamplerName, ...SamplerName[]];
const ADAPTIVE = ['off', 'auto'] as const;
/** Converged steps in a row before an adaptive stop. */
const ADAPTIVE_PATIENCE = 3;

export const sampler = defineNode({
  type: 'sampler',
  version: 1,
  title: 'Sampler',
  category: 'sampling',
  description: 'Denoises the latent step by step. denoise < 1 keeps part of the input (img2img); end_step + return leftover noise hands the rest to a refiner.',
  aliases: ['Denoise Latents'],
  inputs: {
    model: { type: 'MODEL' },
    positive: { type: 'CONDITIONING' },
    negative: { type: 'CONDITIONING' },
    latent: { type: 'LATENT' },
  },
  params: {
    seed: param.seed(),
    steps: param.int({ default: 20, min: 1, max: 1000 }),
    cfg: param.float({ default: 7.5, min: 0, max: 30, step: 0.5, label: 'CFG scale' }),
    sampler: param.choice(SAMPLERS, { default: 'euler', description: 'on a flow-matching model (SD3/Flux-style transformer/ checkpoint) only euler and heun, which run as FlowMatchEuler/FlowMatchHeun' }),
    scheduler: param.choice(SCHEDULE_NAMES, { default: 'normal', description: 'sigma schedule; ddim/pndm/ddpm/lcm take only "normal"; flow models (SD3/Flux) normal, sgm_uniform or simple' }),
    denoise: param.float({ default: 1, min: 0, max: 1, step: 0.01, description: 'img2img strength: 1 = from pure noise' }),
    start_step: param.int({ default: 0, min: 0, max: 10000, label: 'start step' }),
    end_step: param.int({ default: 10000, min: 0, max: 10000, label: 'end step' }),
    return_leftover_noise: param.bool({ default: false, label: 'return leftover noise', description: 'when ending before the last step, hand the noisy latent on (refiner)' }),
    noise: param.choice(NOISE_MODES, { default: 'stepflow', description: 'torch reproduces torch.randn on CPU for the same seed' }),
    adaptive: param.choice(ADAPTIVE, { default: 'off', description: 'auto: stop once the predicted image stops changing' }),
    adaptive_tolerance: param.float({ default: 0.005, min: 0, max: 0.5, step: 0.0005, label: 'adaptive tolerance' }),
  },
  outputs: { latent: { type: 'LATENT' } },
  // Same size as the latent it denoises.
  outputSize: (_p, { latent }) => latent,
  async execute(ctx, { model, positive, negative, latent }, p) {
    if (latent.samples.dims[1] !== model.latentChannels) {
      throw new NodeInputError('latent_channels', `the latent has ${latent.samples.dims[1]} channels but the model takes ${model.latentChannels}`);
    }
    const result = await runWithParamErrors(() => sampleLatent({
      model, sampler: p.sampler, schedule: p.scheduler, steps: p.steps, cfg: p.cfg, seed: p.seed, noiseMode: p.noise,
      positive, negative, latent,
      start: { kind: 'denoise', denoise: p.denoise, startStep: p.start_step },
      endStep: p.end_step,
      returnLeftoverNoise: p.return_leftover_noise,
      adaptive: p.adaptive === 'auto' ? { tolerance: p.adaptive_tolerance, patience: ADAPTIVE_PATIENCE } : undefined,
      hooks: ctx,
      batch: ctx.batch,
    }));
    if (result.planned === 0) ctx.warn(`nothing to sample: the step window is empty (denoise ${p.denoise}, start ${p.start_step}, end ${p.end_step} of ${p.steps})`);
    if (result.stoppedEarly) ctx.warn(`adaptive: converged after ${result.evaluations} of ${result.planned} steps`);
    return { latent: result.latent };
  },
});
