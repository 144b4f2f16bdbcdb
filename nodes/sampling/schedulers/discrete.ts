// Shared machinery of the k-diffusion style "discrete" schedulers (Euler, Euler a, Heun, LMS):
// a sigma table interpolated at the inference timesteps, optional Karras/exponential re-spacing.
import { SchedulerBase } from './base';
import { ConfigReader, type RawConfig } from './config';
import { SchedulerConfigError, SchedulerStateError } from './errors';
import {
  exponentialSigmas, interpTable, karrasSigmas, sigmaTimesteps, sigmaToT,
  TIMESTEP_SPACINGS, type TimestepSpacing,
} from './spacing';
import { readTrainingSchedule, trainingSigmaTables, type BetaSchedule, type TrainingOptions } from './trainingSchedule';

const f = Math.fround;

export type SigmaPrediction = 'epsilon' | 'sample' | 'v_prediction';

export interface DiscreteFeatures {
  className: string;
  training: TrainingOptions;
  predictions: readonly SigmaPrediction[];
  /** use_karras_sigmas / use_exponential_sigmas (Euler a has neither). */
  sigmaShapes?: boolean;
  /** Euler reads sigma_min / sigma_max from its config for Karras/exponential sigmas. */
  configSigmaRange?: boolean;
  /** Euler has final_sigmas_type; the others always end at 0. */
  finalSigmasType?: boolean;
  /** Euler's timestep_type (continuous timesteps for v-prediction). */
  timestepType?: boolean;
  /** Reads class-specific keys (before the config is frozen). */
  readExtra?: (cfg: ConfigReader) => Record<string, unknown>;
}

export const DISCRETE_SCHEDULES: readonly BetaSchedule[] = ['linear', 'scaled_linear', 'squaredcos_cap_v2'];

export abstract class DiscreteSigmaScheduler extends SchedulerBase {
  /** Current sigma schedule (float32 values), one longer than the timesteps of a run. */
  sigmas: number[] = [];
  readonly trainingSigmas: Float32Array;
  sigmaSchedule: ((steps: number) => number[]) | null = null;
  protected readonly logSigmas: Float32Array;
  protected readonly prediction: SigmaPrediction;
  protected readonly spacing: TimestepSpacing;
  protected readonly stepsOffset: number;
  protected readonly sigmaShape: 'none' | 'karras' | 'exponential';
  protected readonly sigmaRange: { min: number | null; max: number | null };
  protected readonly finalSigma: 'zero' | 'sigma_min';
  protected readonly continuousTimesteps: boolean;
  protected readonly extra: Record<string, unknown>;

  protected constructor(features: DiscreteFeatures, raw: RawConfig) {
    const cfg = new ConfigReader(features.className, raw);
    const train = readTrainingSchedule(cfg, features.training);
    const prediction = cfg.choice('prediction_type', features.predictions, 'epsilon');
    const spacing = cfg.choice('timestep_spacing', TIMESTEP_SPACINGS, 'linspace');
    const stepsOffset = cfg.number('steps_offset', 0, { integer: true, min: 0 });
    const karras = features.sigmaShapes ? cfg.bool('use_karras_sigmas', false) : false;
    const exponential = features.sigmaShapes ? cfg.bool('use_exponential_sigmas', false) : false;
    if (features.sigmaShapes && cfg.bool('use_beta_sigmas', false)) {
      throw new SchedulerConfigError(features.className, 'use_beta_sigmas', true, 'false (beta sigmas are not supported; use use_karras_sigmas or use_exponential_sigmas)');
    }
    if (karras && exponential) {
      throw new SchedulerConfigError(features.className, 'use_exponential_sigmas', true, 'false when use_karras_sigmas is true (only one sigma shape at a time)');
    }
    const sigmaRange = features.configSigmaRange
      ? { min: cfg.optionalNumber('sigma_min', { above: 0 }), max: cfg.optionalNumber('sigma_max', { above: 0 }) }
      : { min: null, max: null };
    const finalSigma = features.finalSigmasType ? cfg.choice('final_sigmas_type', ['zero', 'sigma_min'] as const, 'zero') : 'zero';
    let continuous = false;
    if (features.timestepType) {
      continuous = cfg.choice('timestep_type', ['discrete', 'continuous'] as const, 'discrete') === 'continuous';
      cfg.choice('interpolation_type', ['linear'] as const, 'linear');
    }
    const extra = features.readExtra?.(cfg) ?? {};
    super(cfg, train);
    this.extra = extra;
    this.prediction = prediction;
    this.spacing = spacing;
    this.stepsOffset = stepsOffset;
    this.sigmaShape = karras ? 'karras' : exponential ? 'exponential' : 'none';
    this.sigmaRange = sigmaRange;
    this.finalSigma = finalSigma;
    this.continuousTimesteps = continuous && prediction === 'v_prediction';
    ({ sigmas: this.trainingSigmas, logSigmas: this.logSigmas } = trainingSigmaTables(train));
    // Before setTimesteps, diffusers exposes the full training table (descending) plus a final 0.
    this.sigmas = [...Array.from(this.trainingSigmas).reverse(), 0];
    this.timesteps = Array.from({ length: this.T }, (_, i) => this.T - 1 - i);
    this.updateInitNoiseSigma();
  }

  setTimesteps(n: number): void {
    this.checkSteps(n);
    if (this.sigmaSchedule) return this.setSigmas(this.sigmaSchedule(n));
    let timesteps = sigmaTimesteps(this.spacing, this.T, n, this.stepsOffset);
    let sigmas = timesteps.map((t) => interpTable(t, this.trainingSigmas));
    if (this.sigmaShape !== 'none') {
      const lo = this.sigmaRange.min ?? sigmas[sigmas.length - 1];
      const hi = this.sigmaRange.max ?? sigmas[0];
      sigmas = this.sigmaShape === 'karras' ? karrasSigmas(lo, hi, n) : exponentialSigmas(lo, hi, n);
      timesteps = sigmas.map((s) => f(sigmaToT(s, this.logSigmas)));
    }
    const last = this.finalSigma === 'sigma_min' ? this.trainingSigmas[0] : 0;
    this.applySchedule(timesteps, [...sigmas, last].map(f), n);
  }

  /**
   * Run with an explicit sigma schedule (descending, last entry is the final sigma, usually 0),
   * as diffusers' set_timesteps(sigmas=...) does; timesteps come from the training sigma table.
   */
  setSigmas(sigmas: readonly number[]): void {
    if (sigmas.length < 2 || sigmas.some((s) => !(s >= 0))) {
      throw new SchedulerStateError(this.className, 'custom sigmas need at least two non-negative values (the last is the final sigma)');
    }
    const s32 = sigmas.map(f);
    const timesteps = s32.slice(0, -1).map((s) => f(sigmaToT(s, this.logSigmas)));
    this.applySchedule(timesteps, s32, sigmas.length - 1);
  }

  /** Hook for Heun's duplicated entries; default stores the schedule as is. */
  protected applySchedule(timesteps: number[], sigmas: number[], n: number): void {
    this.numInferenceSteps = n;
    this.timesteps = this.continuousTimesteps ? sigmas.slice(0, -1).map((s) => f(0.25 * f(Math.log(s)))) : timesteps;
    this.sigmas = sigmas;
    this.stepIdx = null;
    this.beginIdx = null;
    this.resetState();
    this.updateInitNoiseSigma();
  }

  protected resetState(): void {}

  private updateInitNoiseSigma(): void {
    const max = Math.max(...this.sigmas);
    this.initNoiseSigma = this.spacing === 'leading' ? f(Math.sqrt(f(f(max * max) + 1))) : max;
  }

  override scaleModelInput(sample: Float32Array, t: number): Float32Array {
    const sigma = this.sigmas[this.initStepIndex(t)];
    const scale = f(Math.sqrt(f(f(sigma * sigma) + 1)));
    // Plain loops here and below: TypedArray.map with a callback is several times slower, and these run per step.
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) out[i] = f(sample[i] / scale);
    return out;
  }

  /** x0 estimate from the model output at noise level sigma (k-diffusion's denoiser). */
  protected predictX0(modelOutput: Float32Array, sample: Float32Array, sigma: number): Float32Array {
    if (this.prediction === 'sample') return modelOutput;
    const out = new Float32Array(sample.length);
    if (this.prediction === 'epsilon') {
      for (let i = 0; i < out.length; i++) out[i] = f(sample[i] - f(sigma * modelOutput[i]));
      return out;
    }
    const s2 = f(f(sigma * sigma) + 1);
    const c = f(-sigma / f(Math.sqrt(s2)));
    for (let i = 0; i < out.length; i++) out[i] = f(f(modelOutput[i] * c) + f(sample[i] / s2));
    return out;
  }

  addNoise(original: Float32Array, noise: Float32Array, t: number): Float32Array {
    const idx = this.beginIdx === null ? this.indexForTimestep(t) : this.stepIdx ?? this.beginIdx;
    const sigma = this.sigmas[idx];
    const out = new Float32Array(original.length);
    for (let i = 0; i < out.length; i++) out[i] = f(original[i] + f(noise[i] * sigma));
    return out;
  }
}
