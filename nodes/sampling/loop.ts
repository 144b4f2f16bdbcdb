// The denoising loop shared by the Sampler and Refiner nodes: guided model call, scheduler step,
// debugger hooks, progress, previews, cancellation and the adaptive early stop, over a window of the
// scheduler's timesteps.
import type { PreviewFrame, SamplerStepState } from '../define';
import { throwIfCancelled } from '../engine/errors';
import type { LatentRgb } from '../models/latent-rgb';
import type { Tensor } from '../runtime/tensor';
import { ContextMemo, guidedOutput, type Denoiser, type Guidance } from './guidance';
import type { NoiseSource } from './noise';
import type { Scheduler } from './schedulers';
import { previewStep } from './step-preview';

export interface LoopHooks {
  signal?: AbortSignal;
  progress?(step: number, total: number): void;
  beforeStep?(state: SamplerStepState): Promise<void>;
  afterStep?(state: SamplerStepState): Promise<void>;
  /** True when beforeStep would hold this step (a breakpoint or a pause): such a run leaves a batch. */
  breaksBefore?(step: number): boolean;
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
  /** Inpainting (inpaint.ts blendStep): rewrites the sample for evaluation `next` and the predicted x0 after each step. */
  blend?: StepBlend;
}

export type StepBlend = (next: number, x: Float32Array, x0: Float32Array) => { x: Float32Array; x0: Float32Array };

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

/**
 * One run's position in the loop: its sample, its scheduler (schedulers keep per-run history, so each run has its
 * own), its noise and hooks. runCursor below drives one cursor; the batched loop (batch.ts) drives several
 * through shared model calls, so both advance a run by exactly the same arithmetic.
 */
export class LoopCursor {
  readonly dims: number[];
  readonly total: number;
  index: number;
  x: Float32Array;
  x0: Float32Array;
  private prevX0: Float32Array;
  private calm = 0;
  stoppedEarly = false;

  constructor(readonly o: LoopOptions) {
    this.dims = o.sample.dims;
    this.total = o.endIndex - o.startIndex;
    this.index = o.startIndex;
    this.x = o.sample.data;
    this.x0 = this.x;
    this.prevX0 = this.x;
  }

  get hooks(): LoopHooks {
    return this.o.hooks ?? {};
  }

  get done(): boolean {
    return this.stoppedEarly || this.index >= this.o.endIndex;
  }

  get step(): number {
    return this.index - this.o.startIndex;
  }

  get timestep(): number {
    return this.o.scheduler.timesteps[this.index];
  }

  /** What beforeStep sees. */
  before(): SamplerStepState {
    const step = this.step;
    return {
      step, total: this.total, sigma: sigmaAt(this.o.scheduler, this.index), timestep: this.timestep,
      latent: { data: this.x, dims: this.dims }, predictedX0: step > 0 ? { data: this.x0, dims: this.dims } : undefined,
    };
  }

  /** The model input of this step. */
  modelInput(): Tensor {
    return { data: this.o.scheduler.scaleModelInput(this.x, this.timestep), dims: this.dims };
  }

  /** Scheduler step with the guided model output; progress and preview. Returns what afterStep sees. */
  advance(input: Tensor, output: Float32Array): SamplerStepState {
    const { scheduler, hooks = {} } = this.o;
    const step = this.step;
    const t = this.timestep;
    const sigma = sigmaAt(scheduler, this.index);
    const res = scheduler.step(output, t, this.x, { noise: this.o.noise, batch: this.dims[0] });
    this.prevX0 = this.x0;
    this.x0 = res.predOriginalSample ?? estimateX0(scheduler, output, this.x, t);
    this.x = res.prevSample;
    if (this.o.blend) ({ x: this.x, x0: this.x0 } = this.o.blend(this.index + 1, this.x, this.x0));
    hooks.progress?.(step + 1, this.total);
    previewStep(hooks, { step, total: this.total, sigma, timestep: t, x0: { data: this.x0, dims: this.dims }, input, latentRgb: this.o.latentRgb });
    return { step, total: this.total, sigma, timestep: t, latent: { data: this.x, dims: this.dims }, predictedX0: { data: this.x0, dims: this.dims } };
  }

  /** Moves to the next evaluation, or stops when the adaptive rule says the image has settled. */
  next(): void {
    const a = this.o.adaptive;
    if (a && this.step > 0) {
      this.calm = relativeChange(this.x0, this.prevX0) < a.tolerance ? this.calm + 1 : 0;
      if (this.calm >= a.patience && this.index + 1 < this.o.endIndex) this.stoppedEarly = true;
    }
    this.index++;
  }

  result(): LoopResult {
    const evaluations = this.stoppedEarly ? this.step : this.total;
    return {
      sample: { data: this.x, dims: this.dims }, predictedX0: { data: this.x0, dims: this.dims },
      evaluations, stoppedEarly: this.stoppedEarly, stopIndex: this.index,
    };
  }
}

/** Drives one cursor to its end: model call per step, the debugger's hooks awaited around each step. */
export async function runCursor(c: LoopCursor): Promise<LoopResult> {
  const { hooks } = c;
  const contexts = new ContextMemo();
  while (!c.done) {
    throwIfCancelled(hooks.signal);
    if (hooks.beforeStep) await hooks.beforeStep(c.before());
    throwIfCancelled(hooks.signal);
    const input = c.modelInput();
    const { output } = await guidedOutput(c.o.denoiser, input, c.timestep, c.o.guidance, hooks.signal, contexts);
    // Advanced outside the optional call: `afterStep?.(…)` would skip evaluating its argument when unset.
    const after = c.advance(input, output);
    await hooks.afterStep?.(after);
    c.next();
  }
  return c.result();
}
