// LCMScheduler (Latent Consistency Models, Luo et al. 2023): consistency-function denoise at each
// step, then re-noise to the next timestep (multistep LCM sampling).
import { SchedulerBase } from './base';
import { ConfigReader, type RawConfig } from './config';
import { PREDICTION_TYPES, type PredictionType } from './ddim';
import { SchedulerConfigError } from './errors';
import { npLinspace, TIMESTEP_SPACINGS } from './spacing';
import { thresholdSample } from './threshold';
import { BETA_SCHEDULES, readTrainingSchedule } from './trainingSchedule';
import type { StepOptions, StepResult } from './types';

const f = Math.fround;

export class LCMScheduler extends SchedulerBase {
  readonly className = 'LCMScheduler';
  override usesNoise = true;
  private readonly originalSteps: number;
  private readonly finalAlphaCumprod: number;
  private readonly prediction: PredictionType;
  private readonly clip: number | null;
  private readonly thresholding: { ratio: number; max: number } | null;
  private readonly timestepScaling: number;

  constructor(raw: RawConfig = {}) {
    const cfg = new ConfigReader('LCMScheduler', raw);
    const train = readTrainingSchedule(cfg, {
      defaults: { beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear' },
      schedules: BETA_SCHEDULES,
      zeroSnr: 'rescale',
    });
    const originalSteps = cfg.number('original_inference_steps', 50, { integer: true, min: 1, max: train.numTrainTimesteps });
    const clipSample = cfg.bool('clip_sample', false);
    const clipRange = cfg.number('clip_sample_range', 1.0, { above: 0 });
    const setAlphaToOne = cfg.bool('set_alpha_to_one', true);
    cfg.number('steps_offset', 0, { integer: true, min: 0 });
    const prediction = cfg.choice('prediction_type', PREDICTION_TYPES, 'epsilon');
    const thresholding = cfg.bool('thresholding', false);
    const ratio = cfg.number('dynamic_thresholding_ratio', 0.995, { min: 0, max: 1 });
    const maxValue = cfg.number('sample_max_value', 1.0, { above: 0 });
    cfg.choice('timestep_spacing', TIMESTEP_SPACINGS, 'leading');
    const timestepScaling = cfg.number('timestep_scaling', 10.0, { above: 0 });
    super(cfg, train);
    this.originalSteps = originalSteps;
    this.finalAlphaCumprod = setAlphaToOne ? 1 : this.acp[0];
    this.prediction = prediction;
    this.clip = clipSample ? clipRange : null;
    this.thresholding = thresholding ? { ratio, max: maxValue } : null;
    this.timestepScaling = timestepScaling;
    this.timesteps = Array.from({ length: this.T }, (_, i) => this.T - 1 - i);
  }

  /** LCM picks n of the `original_inference_steps` distilled timesteps (k * i - 1), evenly. */
  setTimesteps(n: number): void {
    const k = Math.floor(this.T / this.originalSteps);
    const origin = Array.from({ length: this.originalSteps }, (_, i) => (i + 1) * k - 1).reverse();
    if (!Number.isInteger(n) || n < 1 || n > origin.length) {
      throw new SchedulerConfigError(this.className, 'num_inference_steps', n, `an integer between 1 and original_inference_steps (${origin.length})`);
    }
    this.numInferenceSteps = n;
    this.timesteps = npLinspace(0, origin.length, n, false).map((x) => origin[Math.floor(x)]);
    this.stepIdx = null;
    this.beginIdx = null;
  }

  private boundaryScalings(t: number): [number, number] {
    const scaled = f(f(t) * f(this.timestepScaling));
    const denom = f(f(scaled * scaled) + 0.25);
    return [f(0.25 / denom), f(scaled / f(Math.sqrt(denom)))];
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, opts: StepOptions = {}): StepResult {
    this.requireTimesteps();
    this.checkShapes(modelOutput, sample);
    const i = this.initStepIndex(t);
    const prevT = i + 1 < this.timesteps.length ? this.timesteps[i + 1] : t;
    const a = this.acp[t];
    const aPrev = prevT >= 0 ? this.acp[prevT] : this.finalAlphaCumprod;
    const sa = f(Math.sqrt(a));
    const sb = f(Math.sqrt(f(1 - a)));
    const [cSkip, cOut] = this.boundaryScalings(t);
    let x0: Float32Array;
    if (this.prediction === 'epsilon') x0 = sample.map((x, k) => f(f(x - f(sb * modelOutput[k])) / sa));
    else if (this.prediction === 'sample') x0 = modelOutput;
    else x0 = sample.map((x, k) => f(f(sa * x) - f(sb * modelOutput[k])));
    if (this.thresholding) x0 = thresholdSample(x0, opts.batch ?? 1, this.thresholding.ratio, this.thresholding.max);
    else if (this.clip !== null) {
      const r = this.clip;
      x0 = x0.map((v) => Math.min(r, Math.max(-r, v)));
    }
    const denoised = x0.map((v, k) => f(f(cOut * v) + f(cSkip * sample[k])));
    let prev = denoised;
    if (i !== this.numInferenceSteps! - 1) {
      const z = this.requireNoise(opts).randn(sample.length);
      const ca = f(Math.sqrt(aPrev));
      const cb = f(Math.sqrt(f(1 - aPrev)));
      prev = denoised.map((d, k) => f(f(ca * d) + f(cb * z[k])));
    }
    this.stepIdx = i + 1;
    return { prevSample: prev, predOriginalSample: denoised };
  }

  addNoise(original: Float32Array, noise: Float32Array, t: number): Float32Array {
    const a = this.acp[t];
    const sa = f(Math.sqrt(a));
    const sb = f(Math.sqrt(f(1 - a)));
    return original.map((x, i) => f(f(sa * x) + f(sb * noise[i])));
  }
}
