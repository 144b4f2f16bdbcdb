// Transformer Refiner: finishes the last part of the schedule with the attention refiner, either
// continuing a base sampler's leftover-noise latent or re-noising a clean latent to start_at.
import { defineNode, param } from '../../define';
import { NodeInputError } from '../../engine/errors';
import { runWithParamErrors } from '../../models/param-errors';
import { sampleLatent } from '../../models/sampling-run';
import { NOISE_MODES } from '../../sampling/noise';
import { SAMPLER_NAMES, SCHEDULE_NAMES, type SamplerName } from '../../sampling/schedulers';

const SAMPLERS = SAMPLER_NAMES as unknown as readonly [SamplerName, ...SamplerName[]];

export const refiner = defineNode({
  type: 'refiner',
  version: 1,
  title: 'Transformer Refiner',
  category: 'sampling',
  description: 'Runs the refiner over the last steps. A latent with leftover noise continues where the base sampler stopped; a clean latent is re-noised to start_at.',
  inputs: {
    refiner: { type: 'REFINER' },
    positive: { type: 'CONDITIONING' },
    negative: { type: 'CONDITIONING' },
    latent: { type: 'LATENT' },
  },
  params: {
    start_at: param.float({ default: 0.7, min: 0, max: 1, step: 0.05, label: 'start at', description: 'fraction of the schedule already done (clean latents)' }),
    steps: param.int({ default: 20, min: 1, max: 1000, description: 'length of the whole schedule; the refiner runs its tail' }),
    cfg: param.float({ default: 7.5, min: 0, max: 30, step: 0.5, label: 'CFG scale' }),
    sampler: param.choice(SAMPLERS, { default: 'euler' }),
    scheduler: param.choice(SCHEDULE_NAMES, { default: 'normal' }),
    seed: param.seed(),
    noise: param.choice(NOISE_MODES, { default: 'stepflow' }),
  },
  outputs: { latent: { type: 'LATENT' } },
  // Same size as the latent it denoises.
  outputSize: (_p, { latent }) => latent,
  async execute(ctx, { refiner: model, positive, negative, latent }, p) {
    if (latent.samples.dims[1] !== model.latentChannels) {
      throw new NodeInputError('latent_channels', `the latent has ${latent.samples.dims[1]} channels but the refiner takes ${model.latentChannels}`);
    }
    const result = await runWithParamErrors(() => sampleLatent({
      model, sampler: p.sampler, schedule: p.scheduler, steps: p.steps, cfg: p.cfg, seed: p.seed, noiseMode: p.noise,
      positive, negative, latent,
      start: { kind: 'fraction', startAt: p.start_at },
      endStep: p.steps,
      returnLeftoverNoise: false,
      hooks: ctx,
      batch: ctx.batch,
    }));
    if (result.planned === 0) ctx.warn(`nothing to refine: start_at ${p.start_at} leaves no steps of ${p.steps}`);
    return { latent: result.latent };
  },
});
