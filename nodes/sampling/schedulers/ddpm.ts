// DDPMScheduler (Ho et al. 2020): ancestral sampling with fixed variances; without setTimesteps it
// walks every training timestep like diffusers.
import { SchedulerBase } from './base';
import { ConfigReader, type RawConfig } from './config';
import { PREDICTION_TYPES, type PredictionType } from './ddim';
import { discreteTimesteps, TIMESTEP_SPACINGS, type TimestepSpacing } from './spacing';
import { thresholdSample } from './threshold';
import { readTrainingSchedule } from './trainingSchedule';
import type { StepOptions, StepResult } from './types';

const f = Math.fround;
const VARIANCE_TYPES = ['fixed_small', 'fixed_small_log', 'fixed_large', 'fixed_large_log'] as const;

export class DDPMScheduler extends SchedulerBase {
  readonly className = 'DDPMScheduler';
  override usesNoise = true;
  private readonly varianceType: (typeof VARIANCE_TYPES)[number];
  private readonly prediction: PredictionType;
  private readonly clipSample: boolean;
  private readonly clipRange: number;
  private readonly thresholding: { ratio: number; max: number } | null;
  private readonly spacing: TimestepSpacing;
  private readonly stepsOffset: number;

  constructor(raw: RawConfig = {}) {
    const cfg = new ConfigReader('DDPMScheduler', raw);
    const train = readTrainingSchedule(cfg, {
      defaults: { beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' },
      schedules: ['linear', 'scaled_linear', 'squaredcos_cap_v2', 'sigmoid', 'laplace'],
      zeroSnr: 'rescale',
    });
    const varianceType = cfg.choice('variance_type', VARIANCE_TYPES, 'fixed_small');
    const clipSample = cfg.bool('clip_sample', true);
    const prediction = cfg.choice('prediction_type', PREDICTION_TYPES, 'epsilon');
    const thresholding = cfg.bool('thresholding', false);
    const ratio = cfg.number('dynamic_thresholding_ratio', 0.995, { min: 0, max: 1 });
    const clipRange = cfg.number('clip_sample_range', 1.0, { above: 0 });
    const maxValue = cfg.number('sample_max_value', 1.0, { above: 0 });
    const spacing = cfg.choice('timestep_spacing', TIMESTEP_SPACINGS, 'leading');
    const stepsOffset = cfg.number('steps_offset', 0, { integer: true, min: 0 });
    super(cfg, train);
    this.varianceType = varianceType;
    this.prediction = prediction;
    this.clipSample = clipSample;
    this.clipRange = clipRange;
    this.thresholding = thresholding ? { ratio, max: maxValue } : null;
    this.spacing = spacing;
    this.stepsOffset = stepsOffset;
    this.timesteps = Array.from({ length: this.T }, (_, i) => this.T - 1 - i);
  }

  setTimesteps(n: number): void {
    this.checkSteps(n);
    this.numInferenceSteps = n;
    this.timesteps = discreteTimesteps(this.spacing, this.T, n, this.stepsOffset);
  }

  private previousTimestep(t: number): number {
    if (this.numInferenceSteps === null) return t - 1;
    const idx = this.timesteps.indexOf(t);
    return idx === this.timesteps.length - 1 ? -1 : this.timesteps[idx + 1];
  }

  /** Variance of step t (before sqrt), per variance_type. */
  variance(t: number): number {
    const prevT = this.previousTimestep(t);
    const a = this.acp[t];
    const aPrev = prevT >= 0 ? this.acp[prevT] : 1;
    const beta = f(1 - f(a / aPrev));
    const v = Math.max(f(f(f(1 - aPrev) / f(1 - a)) * beta), 1e-20);
    if (this.varianceType === 'fixed_small') return f(v);
    if (this.varianceType === 'fixed_small_log') return f(Math.exp(f(0.5 * f(Math.log(v)))));
    if (this.varianceType === 'fixed_large') return beta;
    return f(Math.log(beta));
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, opts: StepOptions = {}): StepResult {
    this.checkShapes(modelOutput, sample);
    const prevT = this.previousTimestep(t);
    const a = this.acp[t];
    const aPrev = prevT >= 0 ? this.acp[prevT] : 1;
    const b = f(1 - a);
    const bPrev = f(1 - aPrev);
    const curAlpha = f(a / aPrev);
    const curBeta = f(1 - curAlpha);
    const sa = f(Math.sqrt(a));
    const sb = f(Math.sqrt(b));
    let x0: Float32Array;
    if (this.prediction === 'epsilon') x0 = sample.map((x, i) => f(f(x - f(sb * modelOutput[i])) / sa));
    else if (this.prediction === 'sample') x0 = modelOutput;
    else x0 = sample.map((x, i) => f(f(sa * x) - f(sb * modelOutput[i])));
    if (this.thresholding) x0 = thresholdSample(x0, opts.batch ?? 1, this.thresholding.ratio, this.thresholding.max);
    else if (this.clipSample) x0 = x0.map((v) => Math.min(this.clipRange, Math.max(-this.clipRange, v)));

    const x0Coeff = f(f(f(Math.sqrt(aPrev)) * curBeta) / b);
    const xCoeff = f(f(f(Math.sqrt(curAlpha)) * bPrev) / b);
    const prev = sample.map((x, i) => f(f(x0Coeff * x0[i]) + f(xCoeff * x)));
    if (t > 0) {
      const z = this.requireNoise(opts).randn(sample.length);
      const v = this.variance(t);
      const scale = this.varianceType === 'fixed_small_log' ? v : f(Math.sqrt(v));
      for (let i = 0; i < prev.length; i++) prev[i] = f(prev[i] + f(scale * z[i]));
    }
    return { prevSample: prev, predOriginalSample: x0 };
  }

  addNoise(original: Float32Array, noise: Float32Array, t: number): Float32Array {
    const a = this.acp[t];
    const sa = f(Math.sqrt(a));
    const sb = f(Math.sqrt(f(1 - a)));
    return original.map((x, i) => f(f(sa * x) + f(sb * noise[i])));
  }
}
