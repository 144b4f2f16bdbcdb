// DPMSolverMultistepScheduler: DPM-Solver++ (Lu et al. 2022) multistep in data prediction, ODE
// ("dpmsolver++", ComfyUI dpmpp_2m) or SDE ("sde-dpmsolver++", ComfyUI dpmpp_2m_sde) form.
import { SchedulerBase } from './base';
import { ConfigReader, type RawConfig } from './config';
import { PREDICTION_TYPES, type PredictionType } from './ddim';
import { alphaSigma, customSigmaSchedule, halfLogSnr, readSigmaShape, type SigmaShape } from './multistepMath';
import {
  exponentialSigmas, interpTable, karrasSigmas, logTableF32, luLambdas, multistepTimesteps, roundHalfEven,
  sigmaToT, TIMESTEP_SPACINGS, type TimestepSpacing,
} from './spacing';
import { thresholdSample } from './threshold';
import { BETA_SCHEDULES, readTrainingSchedule, trainingSigmas } from './trainingSchedule';
import type { StepOptions, StepResult } from './types';

const f = Math.fround;
export const DPM_ALGORITHMS = ['dpmsolver++', 'sde-dpmsolver++'] as const;
export type DpmAlgorithm = (typeof DPM_ALGORITHMS)[number];

export class DPMSolverMultistepScheduler extends SchedulerBase {
  readonly className = 'DPMSolverMultistepScheduler';
  sigmas: number[];
  readonly solverOrder: number;
  readonly algorithm: DpmAlgorithm;
  private readonly solverType: 'midpoint' | 'heun';
  private readonly prediction: PredictionType;
  private readonly thresholding: { ratio: number; max: number } | null;
  private readonly lowerOrderFinal: boolean;
  private readonly eulerAtFinal: boolean;
  private readonly finalSigma: 'zero' | 'sigma_min';
  private readonly shape: SigmaShape;
  private readonly spacing: TimestepSpacing;
  private readonly stepsOffset: number;
  private readonly lambdaMinClipped: number;
  private readonly cosine: boolean;
  readonly trainingSigmas: Float32Array;
  sigmaSchedule: ((steps: number) => number[]) | null = null;
  private modelOutputs: (Float32Array | null)[] = [];
  private lowerOrderNums = 0;

  constructor(raw: RawConfig = {}) {
    const cfg = new ConfigReader('DPMSolverMultistepScheduler', raw);
    const train = readTrainingSchedule(cfg, {
      defaults: { beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' },
      schedules: BETA_SCHEDULES,
      zeroSnr: 'rescale-and-pin',
    });
    const solverOrder = cfg.number('solver_order', 2, { integer: true, min: 1, max: 3 });
    const prediction = cfg.choice('prediction_type', PREDICTION_TYPES, 'epsilon');
    const thresholding = cfg.bool('thresholding', false);
    const ratio = cfg.number('dynamic_thresholding_ratio', 0.995, { min: 0, max: 1 });
    const maxValue = cfg.number('sample_max_value', 1.0, { above: 0 });
    // diffusers maps "deis" to dpmsolver++ and UniPC/DEIS solver types to midpoint.
    const rawAlgorithm = cfg.choice('algorithm_type', [...DPM_ALGORITHMS, 'deis'] as const, 'dpmsolver++');
    const rawSolver = cfg.choice('solver_type', ['midpoint', 'heun', 'logrho', 'bh1', 'bh2'] as const, 'midpoint');
    const lowerOrderFinal = cfg.bool('lower_order_final', true);
    const eulerAtFinal = cfg.bool('euler_at_final', false);
    const shape = readSigmaShape(cfg, true);
    const finalSigma = cfg.choice('final_sigmas_type', ['zero', 'sigma_min'] as const, 'zero');
    cfg.mustBeNull('variance_type', 'learned variance channels are not supported');
    const spacing = cfg.choice('timestep_spacing', TIMESTEP_SPACINGS, 'linspace');
    const stepsOffset = cfg.number('steps_offset', 0, { integer: true, min: 0 });
    // null / absent means -inf (diffusers' default); only cosine-schedule configs set it.
    const lambdaMinClipped = cfg.optionalNumber('lambda_min_clipped') ?? -Infinity;
    super(cfg, train);
    this.solverOrder = solverOrder;
    this.prediction = prediction;
    this.thresholding = thresholding ? { ratio, max: maxValue } : null;
    this.algorithm = rawAlgorithm === 'deis' ? 'dpmsolver++' : rawAlgorithm;
    this.solverType = rawSolver === 'heun' ? 'heun' : 'midpoint';
    this.lowerOrderFinal = lowerOrderFinal;
    this.eulerAtFinal = eulerAtFinal;
    this.finalSigma = finalSigma;
    this.shape = shape;
    this.spacing = spacing;
    this.stepsOffset = stepsOffset;
    this.lambdaMinClipped = lambdaMinClipped;
    this.cosine = this.config.beta_schedule === 'squaredcos_cap_v2';
    this.usesNoise = this.algorithm === 'sde-dpmsolver++';
    this.trainingSigmas = trainingSigmas(this.acp);
    this.sigmas = Array.from(this.trainingSigmas);
    this.timesteps = Array.from({ length: this.T }, (_, i) => this.T - 1 - i);
  }

  /** Timesteps are cut where lambda falls below lambda_min_clipped (cosine schedules). */
  private lastTimestep(): number {
    if (this.lambdaMinClipped === -Infinity) return this.T;
    let clipped = 0;
    for (let i = this.T - 1; i >= 0; i--) {
      const [alpha, sigma] = [f(Math.sqrt(this.acp[i])), f(Math.sqrt(f(1 - this.acp[i])))];
      if (halfLogSnr(alpha, sigma) < this.lambdaMinClipped) clipped++;
      else break;
    }
    return this.T - clipped;
  }

  setTimesteps(n: number): void {
    this.checkSteps(n);
    if (this.sigmaSchedule) return this.setSigmas(this.sigmaSchedule(n));
    let timesteps = multistepTimesteps(this.spacing, this.T, n, this.stepsOffset, this.lastTimestep());
    const logSigmas = logTableF32(this.trainingSigmas);
    const tOf = (s: number): number => sigmaToT(s, logSigmas);
    let sigmas: number[];
    const lo = this.trainingSigmas[0];
    const hi = this.trainingSigmas[this.T - 1];
    if (this.shape === 'karras') {
      sigmas = karrasSigmas(lo, hi, n);
      timesteps = sigmas.map((s) => (this.cosine ? Math.trunc(tOf(s)) : roundHalfEven(tOf(s))));
    } else if (this.shape === 'lu') {
      sigmas = luLambdas(logSigmas[0], logSigmas[this.T - 1], n).map(Math.exp);
      timesteps = sigmas.map((s) => (this.cosine ? Math.trunc(tOf(s)) : roundHalfEven(tOf(s))));
    } else if (this.shape === 'exponential') {
      sigmas = exponentialSigmas(lo, hi, n);
      timesteps = sigmas.map((s) => Math.trunc(tOf(s)));
    } else {
      sigmas = timesteps.map((t) => interpTable(t, this.trainingSigmas));
    }
    const last = this.finalSigma === 'sigma_min' ? this.trainingSigmas[0] : 0;
    this.installSchedule(timesteps, [...sigmas, last].map(f));
  }

  /** Explicit descending sigmas (last = final sigma); timesteps are rounded training timesteps. */
  setSigmas(sigmas: readonly number[]): void {
    const custom = customSigmaSchedule(this.className, sigmas, this.trainingSigmas);
    this.installSchedule(custom.timesteps, custom.sigmas);
  }

  private installSchedule(timesteps: number[], sigmas: number[]): void {
    this.timesteps = timesteps;
    this.sigmas = sigmas;
    this.numInferenceSteps = timesteps.length;
    this.modelOutputs = new Array(this.solverOrder).fill(null);
    this.lowerOrderNums = 0;
    this.stepIdx = null;
    this.beginIdx = null;
  }

  /** Data prediction x0 from the raw model output (diffusers' convert_model_output). */
  private toX0(modelOutput: Float32Array, sample: Float32Array, batch: number): Float32Array {
    const [alpha, sigmaT] = alphaSigma(this.sigmas[this.stepIdx!]);
    let x0: Float32Array;
    if (this.prediction === 'epsilon') x0 = sample.map((x, i) => f(f(x - f(sigmaT * modelOutput[i])) / alpha));
    else if (this.prediction === 'sample') x0 = modelOutput;
    else x0 = sample.map((x, i) => f(f(alpha * x) - f(sigmaT * modelOutput[i])));
    return this.thresholding ? thresholdSample(x0, batch, this.thresholding.ratio, this.thresholding.max) : x0;
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, opts: StepOptions = {}): StepResult {
    this.requireTimesteps();
    this.checkShapes(modelOutput, sample);
    const i = this.initStepIndex(t, true);
    const last = this.timesteps.length;
    const lowerOrderFinal = i === last - 1 &&
      (this.eulerAtFinal || (this.lowerOrderFinal && last < 15) || this.finalSigma === 'zero');
    const lowerOrderSecond = i === last - 2 && this.lowerOrderFinal && last < 15;

    const x0 = this.toX0(modelOutput, sample, opts.batch ?? 1);
    this.modelOutputs.shift();
    this.modelOutputs.push(x0);
    const noise = this.algorithm === 'sde-dpmsolver++' ? this.requireNoise(opts).randn(sample.length) : null;

    let prev: Float32Array;
    if (this.solverOrder === 1 || this.lowerOrderNums < 1 || lowerOrderFinal) prev = this.firstOrder(x0, sample, noise);
    else if (this.solverOrder === 2 || this.lowerOrderNums < 2 || lowerOrderSecond) prev = this.secondOrder(sample, noise);
    else prev = this.thirdOrder(sample);
    if (this.lowerOrderNums < this.solverOrder) this.lowerOrderNums++;
    this.stepIdx = i + 1;
    return { prevSample: prev, predOriginalSample: x0 };
  }

  private lambdas(...indices: number[]): { alpha: number; sigma: number; lambda: number }[] {
    return indices.map((k) => {
      const [alpha, sigma] = alphaSigma(this.sigmas[k]);
      return { alpha, sigma, lambda: halfLogSnr(alpha, sigma) };
    });
  }

  private firstOrder(x0: Float32Array, sample: Float32Array, noise: Float32Array | null): Float32Array {
    const i = this.stepIdx!;
    const [t, s] = this.lambdas(i + 1, i);
    const h = f(t.lambda - s.lambda);
    if (!noise) {
      const a = f(t.sigma / s.sigma);
      const b = f(t.alpha * f(f(Math.exp(-h)) - 1));
      return sample.map((x, k) => f(f(a * x) - f(b * x0[k])));
    }
    const e2h = f(Math.exp(f(-2 * h)));
    const a = f(f(t.sigma / s.sigma) * f(Math.exp(-h)));
    const b = f(t.alpha * f(1 - e2h));
    const c = f(t.sigma * f(Math.sqrt(f(1 - e2h))));
    return sample.map((x, k) => f(f(f(a * x) + f(b * x0[k])) + f(c * noise[k])));
  }

  private secondOrder(sample: Float32Array, noise: Float32Array | null): Float32Array {
    const i = this.stepIdx!;
    const [t, s0, s1] = this.lambdas(i + 1, i, i - 1);
    const m0 = this.modelOutputs[this.solverOrder - 1]!;
    const m1 = this.modelOutputs[this.solverOrder - 2]!;
    const h = f(t.lambda - s0.lambda);
    const r0 = f(f(s0.lambda - s1.lambda) / h);
    const invR0 = f(1 / r0);
    const d1 = m0.map((v, k) => f(invR0 * f(v - m1[k])));
    if (!noise) {
      const a = f(t.sigma / s0.sigma);
      const em1 = f(f(Math.exp(-h)) - 1);
      const b = f(t.alpha * em1);
      const c = this.solverType === 'midpoint' ? f(0.5 * b) : f(t.alpha * f(f(em1 / h) + 1));
      // midpoint: a*x - b*D0 - 0.5*b*D1; heun: a*x - b*D0 + c*D1
      const sign = this.solverType === 'midpoint' ? -1 : 1;
      return sample.map((x, k) => f(f(f(a * x) - f(b * m0[k])) + sign * f(c * d1[k])));
    }
    const e2h = f(Math.exp(f(-2 * h)));
    const a = f(f(t.sigma / s0.sigma) * f(Math.exp(-h)));
    const b = f(t.alpha * f(1 - e2h));
    const c = this.solverType === 'midpoint' ? f(0.5 * b) : f(t.alpha * f(f(f(1 - e2h) / f(-2 * h)) + 1));
    const n = f(t.sigma * f(Math.sqrt(f(1 - e2h))));
    return sample.map((x, k) => f(f(f(f(a * x) + f(b * m0[k])) + f(c * d1[k])) + f(n * noise[k])));
  }

  private thirdOrder(sample: Float32Array): Float32Array {
    const i = this.stepIdx!;
    const [t, s0, s1, s2] = this.lambdas(i + 1, i, i - 1, i - 2);
    const [m2, m1, m0] = this.modelOutputs as Float32Array[];
    const h = f(t.lambda - s0.lambda);
    const r0 = f(f(s0.lambda - s1.lambda) / h);
    const r1 = f(f(s1.lambda - s2.lambda) / h);
    const w = f(r0 / f(r0 + r1));
    const inv = f(1 / f(r0 + r1));
    const a = f(t.sigma / s0.sigma);
    const em1 = f(f(Math.exp(-h)) - 1);
    const b = f(t.alpha * em1);
    const c = f(t.alpha * f(f(em1 / h) + 1));
    const d = f(t.alpha * f(f(f(em1 + h) / f(h * h)) - 0.5));
    return sample.map((x, k) => {
      const d10 = f(f(1 / r0) * f(m0[k] - m1[k]));
      const d11 = f(f(1 / r1) * f(m1[k] - m2[k]));
      const d1 = f(d10 + f(w * f(d10 - d11)));
      const d2 = f(inv * f(d10 - d11));
      return f(f(f(f(a * x) - f(b * m0[k])) + f(c * d1)) - f(d * d2));
    });
  }

  addNoise(original: Float32Array, noise: Float32Array, t: number): Float32Array {
    const idx = this.beginIdx === null ? this.indexForTimestep(t, true) : this.stepIdx ?? this.beginIdx;
    const [alpha, sigmaT] = alphaSigma(this.sigmas[idx]);
    return original.map((x, i) => f(f(alpha * x) + f(sigmaT * noise[i])));
  }
}
