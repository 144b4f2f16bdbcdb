// Shared machinery of diffusers' flow-matching schedulers (SD3, SD3.5, Flux): samples are
// x_t = (1 - sigma) x0 + sigma eps, the model predicts the velocity v = eps - x0, timesteps = sigma x 1000.
import { SchedulerBase } from './base';
import { ConfigReader, type RawConfig } from './config';
import { SchedulerConfigError, SchedulerStateError } from './errors';
import { npLinspace } from './spacing';

const f = Math.fround;

/** The flow-matching class names, for callers that pick a loop or a scheduler family by config. */
export const FLOW_MATCH_CLASSES = ['FlowMatchEulerDiscreteScheduler', 'FlowMatchHeunDiscreteScheduler'] as const;

export function isFlowMatchClass(name: unknown): boolean {
  return typeof name === 'string' && (FLOW_MATCH_CLASSES as readonly string[]).includes(name);
}

/** diffusers' pipelines' calculate_shift: mu grows linearly with the image token count between two anchors. */
export function resolutionShift(imageSeqLen: number, baseSeqLen: number, maxSeqLen: number, baseShift: number, maxShift: number): number {
  const m = (maxShift - baseShift) / (maxSeqLen - baseSeqLen);
  const b = baseShift - m * baseSeqLen;
  return imageSeqLen * m + b;
}

/** Static shift sigma' = shift·sigma / (1 + (shift - 1)·sigma), in float64 like diffusers' numpy path. */
export function shiftSigma(shift: number, sigma: number): number {
  return (shift * sigma) / (1 + (shift - 1) * sigma);
}

/** diffusers' _time_shift_exponential with sigma = 1: e^mu / (e^mu + (1/t - 1)). */
export function exponentialTimeShift(mu: number, t: number): number {
  return Math.exp(mu) / (Math.exp(mu) + (1 / t - 1));
}

/** The schedules a flow-matching model runs (flowSchedulerFor lets these through). */
export const FLOW_SPACINGS = ['normal', 'sgm_uniform', 'simple'] as const;
export type FlowSpacing = (typeof FLOW_SPACINGS)[number];

export interface FlowMatchOptions {
  className: string;
  /** FlowMatchEuler reads the dynamic-shifting keys; FlowMatchHeun has only shift. */
  dynamic: boolean;
}

export abstract class FlowMatchScheduler extends SchedulerBase {
  sigmas: number[] = [];
  protected readonly shift: number;
  protected readonly dynamicShifting: boolean;
  protected readonly shiftRange: { baseShift: number; maxShift: number; baseSeqLen: number; maxSeqLen: number };
  /** Resolution-dependent shift for use_dynamic_shifting, from imageSeqLen (useImageSeqLen). */
  protected mu: number | null = null;
  /** ComfyUI's spacing of the run's timesteps (useSpacing); "normal" is diffusers' own. */
  private spacing: FlowSpacing = 'normal';
  /** sigma_min / sigma_max of the construction-time table (float32 values), the ends of every run's linspace. */
  private readonly sigmaMin: number;
  private readonly sigmaMax: number;

  protected constructor(opts: FlowMatchOptions, raw: RawConfig) {
    const cfg = new ConfigReader(opts.className, raw);
    const T = cfg.number('num_train_timesteps', 1000, { integer: true, min: 1 });
    const shift = cfg.number('shift', 1.0, { above: 0 });
    let dynamic = false;
    const range = { baseShift: 0.5, maxShift: 1.15, baseSeqLen: 256, maxSeqLen: 4096 };
    if (opts.dynamic) {
      dynamic = cfg.bool('use_dynamic_shifting', false);
      range.baseShift = cfg.number('base_shift', 0.5);
      range.maxShift = cfg.number('max_shift', 1.15);
      range.baseSeqLen = cfg.number('base_image_seq_len', 256, { integer: true, min: 1 });
      range.maxSeqLen = cfg.number('max_image_seq_len', 4096, { integer: true, above: range.baseSeqLen });
      if (cfg.bool('invert_sigmas', false)) throw new SchedulerConfigError(opts.className, 'invert_sigmas', true, 'false (inverted sigmas are not supported)');
      cfg.mustBeNull('shift_terminal', 'a terminal stretch is not supported');
      cfg.choice('time_shift_type', ['exponential'] as const, 'exponential');
      for (const key of ['use_karras_sigmas', 'use_exponential_sigmas', 'use_beta_sigmas', 'stochastic_sampling']) {
        if (cfg.bool(key, false)) throw new SchedulerConfigError(opts.className, key, true, 'false (not supported for flow matching)');
      }
    }
    super(cfg, { numTrainTimesteps: T, betas: new Float32Array(0), alphasCumprod: new Float32Array(0) });
    this.shift = shift;
    this.dynamicShifting = dynamic;
    this.shiftRange = range;
    // The construction-time table: sigma = t/T for t = T..1 (float32), statically shifted unless dynamic.
    const table = Array.from({ length: T }, (_, i) => {
      const s = f((T - i) / T);
      return dynamic ? s : f(f(shift * s) / f(1 + f((shift - 1) * s)));
    });
    this.sigmaMax = table[0];
    this.sigmaMin = table[T - 1];
    this.sigmas = [...table, 0];
    this.timesteps = table.map((s) => f(s * T));
  }

  /**
   * The image's token count (latent h/2 · w/2 for 2x2 patches) sets mu for use_dynamic_shifting, as the
   * SD3 and Flux pipelines compute it; a no-op for statically shifted configs.
   */
  useImageSeqLen(imageSeqLen: number): void {
    const r = this.shiftRange;
    this.mu = resolutionShift(imageSeqLen, r.baseSeqLen, r.maxSeqLen, r.baseShift, r.maxShift);
  }

  /**
   * ComfyUI's schedules on a flow model (comfy/samplers.py). "normal" is diffusers' linspace(t_max, t_min, steps);
   * "sgm_uniform" is linspace(t_max, t_min, steps + 1) without its last point; "simple" takes every (T/steps)-th
   * entry of the training table from the top, t = T - floor(i·T/steps). Both stop at a larger last sigma.
   */
  useSpacing(spacing: FlowSpacing): void {
    this.spacing = spacing;
  }

  /** The run's sigmas before any repetition (float32), one per step: diffusers' set_timesteps up to the final 0. */
  protected stepSigmas(n: number): number[] {
    this.checkSteps(n);
    if (this.dynamicShifting && this.mu === null) {
      throw new SchedulerStateError(this.className, 'use_dynamic_shifting needs the image size (useImageSeqLen) before setTimesteps');
    }
    const T = this.T;
    const ts = this.spacing === 'sgm_uniform' ? npLinspace(this.sigmaMax * T, this.sigmaMin * T, n + 1).slice(0, n)
      : this.spacing === 'simple' ? Array.from({ length: n }, (_, i) => T - Math.floor((i * T) / n))
        : npLinspace(this.sigmaMax * T, this.sigmaMin * T, n);
    return ts.map((t) => {
      const s = t / T;
      return f(this.dynamicShifting ? exponentialTimeShift(this.mu!, s) : shiftSigma(this.shift, s));
    });
  }

  protected applySchedule(timesteps: number[], sigmas: number[], n: number): void {
    this.numInferenceSteps = n;
    this.timesteps = timesteps;
    this.sigmas = sigmas;
    this.stepIdx = null;
    this.beginIdx = null;
    this.resetState();
  }

  protected resetState(): void {}

  /** diffusers' scale_noise: sigma·noise + (1 - sigma)·sample (img2img's starting point). */
  addNoise(original: Float32Array, noise: Float32Array, t: number): Float32Array {
    const idx = this.beginIdx === null ? this.indexForTimestep(t) : this.stepIdx ?? this.beginIdx;
    const sigma = this.sigmas[idx];
    const keep = f(1 - sigma);
    const out = new Float32Array(original.length);
    for (let i = 0; i < out.length; i++) out[i] = f(f(sigma * noise[i]) + f(keep * original[i]));
    return out;
  }

  /** x0 = x - sigma·v: the clean estimate the previews and the debugger show. */
  protected predictX0(velocity: Float32Array, sample: Float32Array, sigma: number): Float32Array {
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) out[i] = f(sample[i] - f(sigma * velocity[i]));
    return out;
  }
}
