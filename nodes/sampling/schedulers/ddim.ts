// DDIMScheduler (Song et al. 2020), mirroring diffusers: eta-controlled variance, x0 clipping.
import { SchedulerBase } from './base';
import { ConfigReader, type RawConfig } from './config';
import { SchedulerStateError } from './errors';
import { discreteTimesteps, TIMESTEP_SPACINGS, type TimestepSpacing } from './spacing';
import { thresholdSample } from './threshold';
import { readTrainingSchedule, BETA_SCHEDULES } from './trainingSchedule';
import type { StepOptions, StepResult } from './types';

const f = Math.fround;
export const PREDICTION_TYPES = ['epsilon', 'sample', 'v_prediction'] as const;
export type PredictionType = (typeof PREDICTION_TYPES)[number];

export class DDIMScheduler extends SchedulerBase {
  readonly className = 'DDIMScheduler';
  private readonly finalAlphaCumprod: number;
  private readonly prediction: PredictionType;
  private readonly clipSample: boolean;
  private readonly clipRange: number;
  private readonly thresholding: { ratio: number; max: number } | null;
  private readonly spacing: TimestepSpacing;
  private readonly stepsOffset: number;

  constructor(raw: RawConfig = {}) {
    const cfg = new ConfigReader('DDIMScheduler', raw);
    const train = readTrainingSchedule(cfg, {
      defaults: { beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' },
      schedules: BETA_SCHEDULES,
      zeroSnr: 'rescale',
    });
    const clipSample = cfg.bool('clip_sample', true);
    const setAlphaToOne = cfg.bool('set_alpha_to_one', true);
    const stepsOffset = cfg.number('steps_offset', 0, { integer: true, min: 0 });
    const prediction = cfg.choice('prediction_type', PREDICTION_TYPES, 'epsilon');
    const thresholding = cfg.bool('thresholding', false);
    const ratio = cfg.number('dynamic_thresholding_ratio', 0.995, { min: 0, max: 1 });
    const clipRange = cfg.number('clip_sample_range', 1.0, { above: 0 });
    const maxValue = cfg.number('sample_max_value', 1.0, { above: 0 });
    const spacing = cfg.choice('timestep_spacing', TIMESTEP_SPACINGS, 'leading');
    super(cfg, train);
    this.finalAlphaCumprod = setAlphaToOne ? 1 : this.acp[0];
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

  private alphaAt(t: number): number {
    return t >= 0 ? this.acp[t] : this.finalAlphaCumprod;
  }

  /** diffusers' _get_variance(t, prev_t). */
  variance(t: number, prevT: number): number {
    const a = this.alphaAt(t);
    const aPrev = this.alphaAt(prevT);
    const b = f(1 - a);
    const bPrev = f(1 - aPrev);
    return f(f(bPrev / b) * f(1 - f(a / aPrev)));
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, opts: StepOptions = {}): StepResult {
    this.requireTimesteps();
    this.checkShapes(modelOutput, sample);
    const eta = opts.eta ?? 0;
    if (!(eta >= 0)) throw new SchedulerStateError(this.className, `eta must be >= 0, got ${eta}`);
    const prevT = t - Math.floor(this.T / this.numInferenceSteps!);
    const a = this.acp[t];
    const aPrev = this.alphaAt(prevT);
    const b = f(1 - a);
    const sa = f(Math.sqrt(a));
    const sb = f(Math.sqrt(b));
    const n = sample.length;
    let x0: Float32Array = new Float32Array(n);
    const eps = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const m = modelOutput[i];
      const x = sample[i];
      if (this.prediction === 'epsilon') {
        x0[i] = f(f(x - f(sb * m)) / sa);
        eps[i] = m;
      } else if (this.prediction === 'sample') {
        x0[i] = m;
        eps[i] = f(f(x - f(sa * m)) / sb);
      } else {
        x0[i] = f(f(sa * x) - f(sb * m));
        eps[i] = f(f(sa * m) + f(sb * x));
      }
    }
    if (this.thresholding) x0 = thresholdSample(x0, opts.batch ?? 1, this.thresholding.ratio, this.thresholding.max);
    else if (this.clipSample) for (let i = 0; i < n; i++) x0[i] = Math.min(this.clipRange, Math.max(-this.clipRange, x0[i]));

    const std = f(eta * f(Math.sqrt(this.variance(t, prevT))));
    const dirCoeff = f(Math.sqrt(f(f(1 - aPrev) - f(std * std))));
    const x0Coeff = f(Math.sqrt(aPrev));
    const prev = new Float32Array(n);
    for (let i = 0; i < n; i++) prev[i] = f(f(x0Coeff * x0[i]) + f(dirCoeff * eps[i]));
    if (eta > 0) {
      const z = this.requireNoise(opts).randn(n);
      for (let i = 0; i < n; i++) prev[i] = f(prev[i] + f(std * z[i]));
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
