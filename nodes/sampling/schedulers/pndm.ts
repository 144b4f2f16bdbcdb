// PNDMScheduler (Liu et al. 2022): pseudo Runge-Kutta warm-up (unless skip_prk_steps) then
// pseudo linear multistep. PRK steps take 4 model evaluations each; `timesteps` lists them all.
import { SchedulerBase } from './base';
import { ConfigReader, type RawConfig } from './config';
import { SchedulerStateError } from './errors';
import { npArange, npLinspace, roundHalfEven, TIMESTEP_SPACINGS, type TimestepSpacing } from './spacing';
import { BETA_SCHEDULES, readTrainingSchedule } from './trainingSchedule';
import type { StepOptions, StepResult } from './types';

const f = Math.fround;

export class PNDMScheduler extends SchedulerBase {
  readonly className = 'PNDMScheduler';
  prkTimesteps: number[] = [];
  plmsTimesteps: number[] = [];
  private readonly skipPrk: boolean;
  private readonly finalAlphaCumprod: number;
  private readonly vPrediction: boolean;
  private readonly spacing: TimestepSpacing;
  private readonly stepsOffset: number;
  private ets: Float32Array[] = [];
  private counter = 0;
  private curModelOutput: Float32Array | null = null;
  private curSample: Float32Array | null = null;

  constructor(raw: RawConfig = {}) {
    const cfg = new ConfigReader('PNDMScheduler', raw);
    const train = readTrainingSchedule(cfg, {
      defaults: { beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' },
      schedules: BETA_SCHEDULES,
    });
    const skipPrk = cfg.bool('skip_prk_steps', false);
    const setAlphaToOne = cfg.bool('set_alpha_to_one', false);
    const prediction = cfg.choice('prediction_type', ['epsilon', 'v_prediction'] as const, 'epsilon');
    const spacing = cfg.choice('timestep_spacing', TIMESTEP_SPACINGS, 'leading');
    const stepsOffset = cfg.number('steps_offset', 0, { integer: true, min: 0 });
    super(cfg, train);
    this.skipPrk = skipPrk;
    this.finalAlphaCumprod = setAlphaToOne ? 1 : this.acp[0];
    this.vPrediction = prediction === 'v_prediction';
    this.spacing = spacing;
    this.stepsOffset = stepsOffset;
  }

  setTimesteps(n: number): void {
    this.checkSteps(n);
    this.numInferenceSteps = n;
    const T = this.T;
    let base: number[]; // ascending
    if (this.spacing === 'linspace') base = npLinspace(0, T - 1, n).map(roundHalfEven);
    else if (this.spacing === 'leading') base = Array.from({ length: n }, (_, i) => i * Math.floor(T / n) + this.stepsOffset);
    else base = npArange(T, 0, -T / n).map((t) => roundHalfEven(t) - 1).reverse();
    if (this.skipPrk) {
      this.prkTimesteps = [];
      this.plmsTimesteps = [...base.slice(0, -1), base[base.length - 2], base[base.length - 1]].reverse();
    } else {
      const half = Math.floor(Math.floor(T / n) / 2);
      const tail = base.slice(-4).flatMap((t) => [t, t + half]); // repeat(2) + tile([0, half])
      const prk = tail.slice(0, -1).flatMap((t) => [t, t]).slice(1, -1);
      this.prkTimesteps = prk.reverse();
      this.plmsTimesteps = base.slice(0, -3).reverse();
    }
    this.timesteps = [...this.prkTimesteps, ...this.plmsTimesteps];
    this.ets = [];
    this.counter = 0;
    this.curModelOutput = null;
    this.curSample = null;
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, _opts?: StepOptions): StepResult {
    this.requireTimesteps();
    this.checkShapes(modelOutput, sample);
    return this.counter < this.prkTimesteps.length && !this.skipPrk
      ? this.stepPrk(modelOutput, t, sample)
      : this.stepPlms(modelOutput, t, sample);
  }

  private stepPrk(modelOutput: Float32Array, t: number, sample: Float32Array): StepResult {
    const stride = Math.floor(this.T / this.numInferenceSteps!);
    const prevT = t - (this.counter % 2 ? 0 : Math.floor(stride / 2));
    const timestep = this.prkTimesteps[Math.floor(this.counter / 4) * 4];
    const phase = this.counter % 4;
    const acc = (w: number) => {
      const wf = f(w);
      const add = modelOutput.map((m) => f(wf * m));
      this.curModelOutput = this.curModelOutput ? this.curModelOutput.map((c, k) => f(c + add[k])) : add;
    };
    let eps = modelOutput;
    if (phase === 0) {
      acc(1 / 6);
      this.ets.push(modelOutput);
      this.curSample = sample;
    } else if (phase === 1 || phase === 2) {
      acc(1 / 3);
    } else {
      const sixth = f(1 / 6);
      const cur = this.curModelOutput!;
      eps = modelOutput.map((m, k) => f(cur[k] + f(sixth * m)));
      this.curModelOutput = null;
    }
    const prev = this.prevSample(this.curSample ?? sample, timestep, prevT, eps);
    this.counter++;
    return { prevSample: prev };
  }

  private stepPlms(modelOutput: Float32Array, t: number, sample: Float32Array): StepResult {
    if (!this.skipPrk && this.ets.length < 3) {
      throw new SchedulerStateError(this.className, 'PLMS needs the Runge-Kutta warm-up first; follow the order of `timesteps`');
    }
    const stride = Math.floor(this.T / this.numInferenceSteps!);
    let timestep = t;
    let prevT = t - stride;
    if (this.counter !== 1) {
      this.ets = this.ets.slice(-3);
      this.ets.push(modelOutput);
    } else {
      prevT = t;
      timestep = t + stride;
    }
    const e = this.ets;
    const L = e.length;
    let eps: Float32Array;
    let x = sample;
    if (L === 1 && this.counter === 0) {
      eps = modelOutput;
      this.curSample = sample;
    } else if (L === 1 && this.counter === 1) {
      eps = modelOutput.map((m, k) => f(f(m + e[0][k]) / 2));
      x = this.curSample!;
      this.curSample = null;
    } else if (L === 2) {
      eps = e[1].map((v, k) => f(f(f(3 * v) - e[0][k]) / 2));
    } else if (L === 3) {
      eps = e[2].map((v, k) => f(f(f(f(23 * v) - f(16 * e[1][k])) + f(5 * e[0][k])) / 12));
    } else {
      const c = f(1 / 24);
      eps = e[3].map((v, k) => f(c * f(f(f(f(55 * v) - f(59 * e[2][k])) + f(37 * e[1][k])) - f(9 * e[0][k]))));
    }
    const prev = this.prevSample(x, timestep, prevT, eps);
    this.counter++;
    return { prevSample: prev };
  }

  /** Formula (9) of the PNDM paper: the transfer from x_t to x_(t-delta) given eps. */
  private prevSample(sample: Float32Array, t: number, prevT: number, modelOutput: Float32Array): Float32Array {
    const a = this.acp[t];
    const aPrev = prevT >= 0 ? this.acp[prevT] : this.finalAlphaCumprod;
    const b = f(1 - a);
    const bPrev = f(1 - aPrev);
    let eps = modelOutput;
    if (this.vPrediction) {
      const sa = f(Math.sqrt(a));
      const sb = f(Math.sqrt(b));
      eps = modelOutput.map((m, k) => f(f(sa * m) + f(sb * sample[k])));
    }
    const sampleCoeff = f(Math.sqrt(f(aPrev / a)));
    const denom = f(f(a * f(Math.sqrt(bPrev))) + f(Math.sqrt(f(f(a * b) * aPrev))));
    const diff = f(aPrev - a);
    return sample.map((x, k) => f(f(sampleCoeff * x) - f(f(diff * eps[k]) / denom)));
  }

  addNoise(original: Float32Array, noise: Float32Array, t: number): Float32Array {
    const a = this.acp[t];
    const sa = f(Math.sqrt(a));
    const sb = f(Math.sqrt(f(1 - a)));
    return original.map((x, i) => f(f(sa * x) + f(sb * noise[i])));
  }
}
