// The denoising loop shared by the Sampler and Refiner nodes: guided model call, scheduler step,
// debugger hooks, progress, previews, cancellation and the adaptive early stop, over a window of the
// scheduler's timesteps.
import type { PreviewFrame, SamplerStepState } from '../define';
import { throwIfCancelled } from '../engine/errors';
import type { LatentRgb } from '../models/latent-rgb';
import type { Tensor } from '../runtime/tensor';
import { guidedOutput, type Denoiser, type Guidance } from './guidance';
import type { NoiseSource } from './noise';
import type { Scheduler } from './schedulers';
import { previewStep } from './step-preview';

export interface LoopHooks {
  signal?: AbortSignal;
  progress?(step: number, total: number): void;
  beforeStep?(state: SamplerStepState): Promise<void>;
  afterStep?(state: SamplerStepState): Promise<void>;
  /** Previews go through previewStep (step-preview.ts); a frame carries raw latents, the host draws them. */
  wantsPreview?(): boolean;
  preview?(frame: PreviewFrame): void;
}

export interface AdaptiveStop {
  /** Relative change of the predicted x0 between steps below which a step counts as converged. */
  tolerance: number;
  /** Consecutive converged steps before stopping. */
  patience: number;
}

export interface LoopOptions {
  denoiser: Denoiser;
  latentRgb: LatentRgb;
  /** setTimesteps done (and setBeginIndex for a window that does not start at 0). */
  scheduler: Scheduler;
  guidance: Guidance;
  /** The starting sample in the scheduler's own space, [B, C, h, w]. */
  sample: Tensor;
  /** Model evaluations run: scheduler.timesteps[startIndex .. endIndex - 1]. */
  startIndex: number;
  endIndex: number;
  noise: NoiseSource;
  hooks?: LoopHooks;
  adaptive?: AdaptiveStop;
}

export interface LoopResult {
  /** The sample after the last evaluation run, in the scheduler's space. */
  sample: Tensor;
  /** The last predicted x0 (clean latent estimate). */
  predictedX0: Tensor;
  /** Evaluations actually run (fewer than endIndex - startIndex after an adaptive stop). */
  evaluations: number;
  stoppedEarly: boolean;
  /** Index into scheduler.timesteps where the run stopped (endIndex unless it stopped early). */
  stopIndex: number;
}

/** alpha_bar at a (possibly fractional) training timestep, linearly interpolated. */
export function alphaBarAt(scheduler: Scheduler, t: number): number {
  const acp = scheduler.alphasCumprod;
  const tc = Math.min(Math.max(t, 0), acp.length - 1);
  const lo = Math.floor(tc);
  const hi = Math.min(lo + 1, acp.length - 1);
  return acp[lo] + (acp[hi] - acp[lo]) * (tc - lo);
}

/**
 * Noise level (k-diffusion sigma) of the sample that goes into evaluation `index`; 0 past the end.
 * Sigma-based schedulers list it; timestep-based ones derive it from alpha_bar.
 */
export function sigmaAt(scheduler: Scheduler, index: number): number {
  const ts = scheduler.timesteps;
  if (index >= ts.length) return 0;
  const s = scheduler.sigmas;
  if (s && s.length === ts.length + 1) return s[index];
  const a = alphaBarAt(scheduler, ts[index]);
  return Math.sqrt((1 - a) / a);
}

/**
 * diffusers' initNoiseSigma is sigma_max for k-diffusion samplers, whose samples are x0 + sigma * eps,
 * and 1 for the variance-preserving ones (DDIM, PNDM, DPM-Solver, UniPC ...), whose samples are
 * (x0 + sigma * eps) / sqrt(1 + sigma^2).
 */
export function samplesAreVe(scheduler: Scheduler): boolean {
  return scheduler.initNoiseSigma > 1.0001;
}

/** A sample at noise level sigma in the scheduler's space -> k-diffusion form (and back). */
export function toVe(scheduler: Scheduler, x: Float32Array, sigma: number): Float32Array {
  if (samplesAreVe(scheduler)) return x;
  const k = Math.sqrt(1 + sigma * sigma);
  return x.map((v) => v * k);
}
export function fromVe(scheduler: Scheduler, x: Float32Array, sigma: number): Float32Array {
  if (samplesAreVe(scheduler)) return x;
  const k = 1 / Math.sqrt(1 + sigma * sigma);
  return x.map((v) => v * k);
}

/** x0 from the model output when a scheduler does not report it (PNDM): VP space, eps or v prediction. */
function estimateX0(scheduler: Scheduler, output: Float32Array, x: Float32Array, t: number): Float32Array {
  const a = alphaBarAt(scheduler, t);
  const sa = Math.sqrt(a);
  const sb = Math.sqrt(1 - a);
  if (scheduler.config.prediction_type === 'v_prediction') return x.map((v, i) => sa * v - sb * output[i]);
  if (samplesAreVe(scheduler)) {
    const sigma = sb / sa;
    return x.map((v, i) => v - sigma * output[i]);
  }
  return x.map((v, i) => (v - sb * output[i]) / sa);
}

function relativeChange(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    diff += d * d;
    norm += a[i] * a[i];
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-8);
}

export async function runSamplingLoop(o: LoopOptions): Promise<LoopResult> {
  const { scheduler, hooks = {} } = o;
  const dims = o.sample.dims;
  const total = o.endIndex - o.startIndex;
  let x = o.sample.data;
  let x0: Float32Array = x;
  let calm = 0;
  let index = o.startIndex;
  for (; index < o.endIndex; index++) {
    throwIfCancelled(hooks.signal);
    const step = index - o.startIndex;
    const t = scheduler.timesteps[index];
    const sigma = sigmaAt(scheduler, index);
    await hooks.beforeStep?.({ step, total, sigma, timestep: t, latent: { data: x, dims }, predictedX0: step > 0 ? { data: x0, dims } : undefined });
    throwIfCancelled(hooks.signal);

    const input = scheduler.scaleModelInput(x, t);
    const { output } = await guidedOutput(o.denoiser, { data: input, dims }, t, o.guidance, hooks.signal);
    const res = scheduler.step(output, t, x, { noise: o.noise, batch: dims[0] });
    const prevX0 = x0;
    x0 = res.predOriginalSample ?? estimateX0(scheduler, output, x, t);
    x = res.prevSample;

    hooks.progress?.(step + 1, total);
    previewStep(hooks, { step, total, sigma, timestep: t, x0: { data: x0, dims }, input: { data: input, dims }, latentRgb: o.latentRgb });
    await hooks.afterStep?.({ step, total, sigma, timestep: t, latent: { data: x, dims }, predictedX0: { data: x0, dims } });

    if (o.adaptive && step > 0) {
      calm = relativeChange(x0, prevX0) < o.adaptive.tolerance ? calm + 1 : 0;
      if (calm >= o.adaptive.patience && index + 1 < o.endIndex) {
        index++;
        return { sample: { data: x, dims }, predictedX0: { data: x0, dims }, evaluations: step + 1, stoppedEarly: true, stopIndex: index };
      }
    }
  }
  return { sample: { data: x, dims }, predictedX0: { data: x0, dims }, evaluations: total, stoppedEarly: false, stopIndex: index };
}
