// One sampling run for the Sampler and Refiner nodes: scheduler set-up, the window of steps to run
// (denoise strength, start/end step, refiner start fraction, leftover-noise hand-off), the starting
// noise, the shared loop, and the LATENT value it hands on.
import { createNoise, type NoiseMode } from '../sampling/noise';
import {
  createScheduler, FlowMatchScheduler, type FlowSpacing, flowSchedulerFor, isFlowMatchConfig, SchedulerConfigError, startForStrength, type ScheduleName, type Scheduler,
} from '../sampling/schedulers';
import type { Denoiser } from '../sampling/guidance';
import type { BatchOutcome, LoopBatch } from '../sampling/batch';
import { fromVe, LoopCursor, runCursor, sigmaAt, toVe, type AdaptiveStop, type LoopHooks } from '../sampling/loop';
import { blendStep, inpaintBlend } from '../sampling/inpaint';
import { withInpaintInputs } from './inpaint-inputs';
import { hasControl, withControlNet, withControlRows, type ControllableModel } from '../sampling/controlnet';
import type { ConditioningValue, LatentValue } from '../values';
import type { LatentRgb } from './latent-rgb';
import { addedConditioning } from './sdxl-time-ids';

export type RunStart =
  /** Sampler: img2img strength and an optional explicit first step (ComfyUI's start_at_step). */
  | { kind: 'denoise'; denoise: number; startStep: number }
  /** Refiner: begin at this fraction of the schedule (0.7 = run the last 30 %). */
  | { kind: 'fraction'; startAt: number };

export interface SampleLatentOptions {
  /** `batchKey`: identifies the weights (session) for dynamic batching; a model without one always runs alone. */
  model: Denoiser & { latentRgb: LatentRgb; schedulerConfig: Record<string, unknown>; batchKey?: string; inpaintInputs?: boolean; addedTimeIds?: 5 | 6 };
  sampler: string;
  schedule: ScheduleName;
  steps: number;
  cfg: number;
  seed: number;
  noiseMode: NoiseMode;
  positive: ConditioningValue;
  negative: ConditioningValue;
  latent: LatentValue;
  start: RunStart;
  /** Stop before this step (>= steps: run to the end). */
  endStep: number;
  returnLeftoverNoise: boolean;
  adaptive?: AdaptiveStop;
  hooks?: LoopHooks;
  /** The worker's batch this run belongs to (dynamic batching); unset: the loop runs alone. */
  batch?: LoopBatch;
}

export interface SampleLatentResult {
  latent: LatentValue;
  /** Model evaluations planned and run. */
  planned: number;
  evaluations: number;
  stoppedEarly: boolean;
  startIndex: number;
  scheduler: Scheduler;
  /** Set when the run was dispatched in a batch: how its loop ran. */
  batch?: BatchOutcome;
}

/** First evaluation index of step k (Heun evaluates twice per step). */
function boundary(s: Scheduler, k: number): number {
  return Math.min(Math.max(0, k) * s.order, s.timesteps.length);
}

/** The step boundary whose noise level is nearest (in log sigma) to `sigma`. */
function nearestSigmaIndex(s: Scheduler, sigma: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i < s.timesteps.length; i += s.order) {
    const d = Math.abs(Math.log(sigmaAt(s, i)) - Math.log(Math.max(sigma, 1e-12)));
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/**
 * Index of the first evaluation. A leftover-noise latent resumes at its own noise level, unless an
 * explicit start step says where; img2img strength follows diffusers' get_timesteps.
 */
function planStart(s: Scheduler, o: SampleLatentOptions): number {
  const leftover = o.latent.leftoverNoise === true && o.latent.sigma !== undefined;
  if (o.start.kind === 'fraction') {
    s.setTimesteps(o.steps);
    return leftover ? nearestSigmaIndex(s, o.latent.sigma!) : boundary(s, Math.round(o.start.startAt * o.steps));
  }
  let index = 0;
  if (o.start.denoise < 1 && !leftover) index = startForStrength(s, o.steps, o.start.denoise).startIndex;
  else s.setTimesteps(o.steps);
  if (o.start.startStep > 0) return Math.max(index, boundary(s, o.start.startStep));
  return leftover ? nearestSigmaIndex(s, o.latent.sigma!) : index;
}

function isZero(x: Float32Array): boolean {
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) return false;
  return true;
}

/**
 * The run's scheduler. A flow-matching model (its scheduler_config.json names a FlowMatch class) runs the
 * flow-matching version of euler/heun, with the image's token count (2x2 latent patches, as SD3 and Flux
 * patchify) for resolution-dependent shifting; other samplers are refused by flowSchedulerFor.
 */
function makeScheduler(o: SampleLatentOptions): Scheduler {
  if (!isFlowMatchConfig(o.model.schedulerConfig)) return createScheduler(o.sampler, o.model.schedulerConfig, { schedule: o.schedule });
  const scheduler = createScheduler(flowSchedulerFor(o.sampler, o.schedule), o.model.schedulerConfig);
  const [, , h, w] = o.latent.samples.dims;
  if (scheduler instanceof FlowMatchScheduler) {
    scheduler.useImageSeqLen(Math.ceil(h / 2) * Math.ceil(w / 2));
    scheduler.useSpacing(o.schedule as FlowSpacing);
  }
  // Leftover noise is handed on in k-diffusion form (x0 + sigma·eps); flow samples mix x0 and noise differently.
  if (o.latent.leftoverNoise || (o.returnLeftoverNoise && o.endStep < o.steps)) {
    throw new SchedulerConfigError(scheduler.className, 'return_leftover_noise', true, 'off for a flow-matching model: partial runs are not handed on between flow samplers yet');
  }
  return scheduler;
}

export async function sampleLatent(o: SampleLatentOptions): Promise<SampleLatentResult> {
  const scheduler = makeScheduler(o);
  const startIndex = planStart(scheduler, o);
  const n = scheduler.timesteps.length;
  const endIndex = Math.max(startIndex, boundary(scheduler, o.endStep));
  const dims = o.latent.samples.dims;
  const base = { startIndex, scheduler, planned: endIndex - startIndex, evaluations: 0, stoppedEarly: false };
  if (startIndex >= endIndex) return { ...base, latent: { ...o.latent, samples: { data: new Float32Array(o.latent.samples.data), dims: [...dims] } } };
  if (startIndex > 0) scheduler.setBeginIndex(startIndex);

  const noise = createNoise(o.seed, o.noiseMode);
  const eps = noise.randn(o.latent.samples.data.length);
  const x = initialSample(scheduler, o.latent, eps, startIndex);

  const controlled = hasControl(o.positive, o.negative);
  // ControlNets ride with each prompt's rows, as its pooled output does, so batched runs keep their own hints.
  const rowsAdded = (a: ReturnType<typeof addedConditioning>, c: ConditioningValue) => (controlled ? withControlRows(a, c) : a);
  const cursor = new LoopCursor({
    denoiser: controlled ? withControlNet(o.model as typeof o.model & ControllableModel, o.positive, o.negative) : o.model.inpaintInputs ? withInpaintInputs(o.model, o.latent) : o.model,
    latentRgb: o.model.latentRgb, scheduler,
    guidance: {
      positive: o.positive.embeddings, negative: o.negative.embeddings, cfg: o.cfg,
      added: {
        positive: rowsAdded(addedConditioning(o.positive, o.model.addedTimeIds, dims, 'positive'), o.positive),
        negative: rowsAdded(addedConditioning(o.negative, o.model.addedTimeIds, dims, 'negative'), o.negative),
      },
    },
    sample: { data: x, dims }, startIndex, endIndex, noise, hooks: o.hooks, adaptive: o.adaptive,
    blend: o.latent.noiseMask ? blendStep(inpaintBlend(o.latent.noiseMask, o.latent.samples, eps), scheduler) : undefined,
  });
  let outcome: BatchOutcome | undefined;
  let run;
  if (!o.batch) {
    run = await runCursor(cursor);
  } else if (o.model.batchKey === undefined || o.model.inpaintInputs) {
    // An inpainting U-Net's extra inputs are per run (its mask and image), so its calls are not shared.
    outcome = { size: 1, reason: o.model.inpaintInputs ? 'inpainting models run alone' : 'this model cannot be batched' };
    o.batch.alone(outcome);
    run = await runCursor(cursor);
  } else {
    ({ result: run, outcome } = await o.batch.join(batchKey(o, startIndex, endIndex, controlled), cursor));
  }
  let latent: LatentValue;
  if (run.stopIndex >= n) {
    latent = { samples: run.sample };
  } else if (!run.stoppedEarly && o.returnLeftoverNoise) {
    const sigma = sigmaAt(scheduler, run.stopIndex);
    latent = {
      samples: { data: toVe(scheduler, run.sample.data, sigma), dims: [...dims] },
      leftoverNoise: true,
      sigma,
      schedule: { steps: o.steps, endStep: Math.min(o.endStep, o.steps) },
    };
  } else {
    // Ending early without handing noise on returns the clean estimate (ComfyUI's force_full_denoise).
    latent = { samples: run.predictedX0 };
  }
  return { ...base, latent, evaluations: run.evaluations, stoppedEarly: run.stoppedEarly, ...(outcome ? { batch: outcome } : {}) };
}

/**
 * Loops with equal keys step through the same timesteps with the same model and can stack their samples:
 * same weights, sampler and its config (via the weights), schedule, window, CFG and tensor shapes. Prompts,
 * negative prompts, seeds and noise modes may differ: those stay per run.
 */
function batchKey(o: SampleLatentOptions, startIndex: number, endIndex: number, controlled: boolean): string {
  // A batched loop calls the first run's denoiser: with ControlNets it reads every row's hints, without it ignores them.
  return JSON.stringify([
    o.model.batchKey, controlled, o.sampler, o.schedule, o.steps, startIndex, endIndex, o.cfg, o.latent.samples.dims,
    o.positive.embeddings.dims, o.negative.embeddings.dims, o.positive.guidance, o.negative.guidance, o.positive.pooled?.dims, o.negative.pooled?.dims,
  ]);
}

/**
 * The sample the first evaluation sees: a leftover-noise latent as it is (topped up with fresh noise
 * when this schedule starts noisier than it stopped), pure noise for an empty latent from the top,
 * otherwise the latent noised to the starting timestep (img2img, refiner from a clean latent).
 */
function initialSample(s: Scheduler, latent: LatentValue, eps: Float32Array, startIndex: number): Float32Array {
  const samples = latent.samples.data;
  if (latent.leftoverNoise && latent.sigma !== undefined) {
    const target = sigmaAt(s, startIndex);
    // Only a real gap is topped up: the same schedule on both sides must continue bit for bit.
    const extra = target > latent.sigma * 1.001 ? Math.sqrt(target * target - latent.sigma * latent.sigma) : 0;
    const ve = extra > 0 ? samples.map((v, i) => v + extra * eps[i]) : samples;
    return fromVe(s, ve, Math.max(target, latent.sigma));
  }
  if (startIndex === 0 && isZero(samples)) return eps.map((v) => v * s.initNoiseSigma);
  return s.addNoise(samples, eps, s.timesteps[startIndex]);
}
