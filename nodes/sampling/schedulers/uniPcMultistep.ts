// UniPCMultistepScheduler (Zhao et al. 2023): UniP predictor + UniC corrector, B(h) = bh1 or bh2,
// data prediction (predict_x0) as in diffusers' defaults.
import { SchedulerBase } from './base';
import { ConfigReader, type RawConfig } from './config';
import { PREDICTION_TYPES, type PredictionType } from './ddim';
import { alphaSigma, customSigmaSchedule, halfLogSnr, readSigmaShape, type SigmaShape } from './multistepMath';
import {
  exponentialSigmas, interpTable, karrasSigmas, logTableF32, multistepTimesteps, roundHalfEven, sigmaToT,
  TIMESTEP_SPACINGS, type TimestepSpacing,
} from './spacing';
import { thresholdSample } from './threshold';
import { BETA_SCHEDULES, readTrainingSchedule, trainingSigmas } from './trainingSchedule';
import type { StepOptions, StepResult } from './types';

const f = Math.fround;

export class UniPCMultistepScheduler extends SchedulerBase {
  readonly className = 'UniPCMultistepScheduler';
  sigmas: number[];
  readonly solverOrder: number;
  private readonly prediction: PredictionType;
  private readonly predictX0: boolean;
  private readonly bh: 'bh1' | 'bh2';
  private readonly lowerOrderFinal: boolean;
  private readonly disableCorrector: number[];
  private readonly thresholding: { ratio: number; max: number } | null;
  private readonly shape: SigmaShape;
  private readonly spacing: TimestepSpacing;
  private readonly stepsOffset: number;
  private readonly finalSigma: 'zero' | 'sigma_min';
  private readonly sigmaRange: { min: number | null; max: number | null };
  readonly trainingSigmas: Float32Array;
  sigmaSchedule: ((steps: number) => number[]) | null = null;
  private modelOutputs: (Float32Array | null)[] = [];
  private lowerOrderNums = 0;
  private lastSample: Float32Array | null = null;
  private thisOrder = 1;

  constructor(raw: RawConfig = {}) {
    const cfg = new ConfigReader('UniPCMultistepScheduler', raw);
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
    const predictX0 = cfg.bool('predict_x0', true);
    // diffusers maps DPM-Solver solver types onto bh2 when a DPM config is loaded into UniPC.
    const rawSolver = cfg.choice('solver_type', ['bh1', 'bh2', 'midpoint', 'heun', 'logrho'] as const, 'bh2');
    const lowerOrderFinal = cfg.bool('lower_order_final', true);
    const disableCorrector = cfg.numberList('disable_corrector', { min: 0 }) ?? [];
    const shape = readSigmaShape(cfg, false);
    const spacing = cfg.choice('timestep_spacing', TIMESTEP_SPACINGS, 'linspace');
    const stepsOffset = cfg.number('steps_offset', 0, { integer: true, min: 0 });
    const finalSigma = cfg.choice('final_sigmas_type', ['zero', 'sigma_min'] as const, 'zero');
    const sigmaRange = { min: cfg.optionalNumber('sigma_min', { above: 0 }), max: cfg.optionalNumber('sigma_max', { above: 0 }) };
    super(cfg, train);
    this.solverOrder = solverOrder;
    this.prediction = prediction;
    this.thresholding = thresholding ? { ratio, max: maxValue } : null;
    this.predictX0 = predictX0;
    this.bh = rawSolver === 'bh1' ? 'bh1' : 'bh2';
    this.lowerOrderFinal = lowerOrderFinal;
    this.disableCorrector = disableCorrector;
    this.shape = shape;
    this.spacing = spacing;
    this.stepsOffset = stepsOffset;
    this.finalSigma = finalSigma;
    this.sigmaRange = sigmaRange;
    this.trainingSigmas = trainingSigmas(this.acp);
    this.sigmas = Array.from(this.trainingSigmas);
    this.timesteps = Array.from({ length: this.T }, (_, i) => this.T - 1 - i);
  }

  setTimesteps(n: number): void {
    this.checkSteps(n);
    if (this.sigmaSchedule) return this.setSigmas(this.sigmaSchedule(n));
    let timesteps = multistepTimesteps(this.spacing, this.T, n, this.stepsOffset);
    const logSigmas = logTableF32(this.trainingSigmas);
    let sigmas: number[];
    let last: number;
    if (this.shape === 'none') {
      sigmas = timesteps.map((t) => interpTable(t, this.trainingSigmas));
      last = this.finalSigma === 'sigma_min' ? this.trainingSigmas[0] : 0;
    } else {
      const lo = this.sigmaRange.min ?? this.trainingSigmas[0];
      const hi = this.sigmaRange.max ?? this.trainingSigmas[this.T - 1];
      sigmas = this.shape === 'karras' ? karrasSigmas(lo, hi, n) : exponentialSigmas(lo, hi, n);
      timesteps = sigmas.map((s) => (this.shape === 'karras' ? roundHalfEven(sigmaToT(s, logSigmas)) : Math.trunc(sigmaToT(s, logSigmas))));
      last = this.finalSigma === 'sigma_min' ? sigmas[sigmas.length - 1] : 0;
    }
    this.installSchedule(timesteps, [...sigmas, last].map(f));
  }

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
    this.lastSample = null;
    this.stepIdx = null;
    this.beginIdx = null;
  }

  private convert(modelOutput: Float32Array, sample: Float32Array, batch: number): Float32Array {
    const [alpha, sigmaT] = alphaSigma(this.sigmas[this.stepIdx!]);
    if (this.predictX0) {
      let x0: Float32Array;
      if (this.prediction === 'epsilon') x0 = sample.map((x, i) => f(f(x - f(sigmaT * modelOutput[i])) / alpha));
      else if (this.prediction === 'sample') x0 = modelOutput;
      else x0 = sample.map((x, i) => f(f(alpha * x) - f(sigmaT * modelOutput[i])));
      return this.thresholding ? thresholdSample(x0, batch, this.thresholding.ratio, this.thresholding.max) : x0;
    }
    if (this.prediction === 'epsilon') return modelOutput;
    if (this.prediction === 'sample') return sample.map((x, i) => f(f(x - f(alpha * modelOutput[i])) / sigmaT));
    return sample.map((x, i) => f(f(alpha * modelOutput[i]) + f(sigmaT * x)));
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, opts: StepOptions = {}): StepResult {
    this.requireTimesteps();
    this.checkShapes(modelOutput, sample);
    const i = this.initStepIndex(t, true);
    const useCorrector = i > 0 && !this.disableCorrector.includes(i - 1) && this.lastSample !== null;
    const converted = this.convert(modelOutput, sample, opts.batch ?? 1);
    let x = sample;
    if (useCorrector) x = this.update(converted, this.lastSample!, this.thisOrder, 'corrector');
    this.modelOutputs.shift();
    this.modelOutputs.push(converted);
    const order = this.lowerOrderFinal ? Math.min(this.solverOrder, this.timesteps.length - i) : this.solverOrder;
    this.thisOrder = Math.min(order, this.lowerOrderNums + 1);
    this.lastSample = x;
    const prev = this.update(null, x, this.thisOrder, 'predictor');
    if (this.lowerOrderNums < this.solverOrder) this.lowerOrderNums++;
    this.stepIdx = i + 1;
    return { prevSample: prev, predOriginalSample: this.predictX0 ? converted : undefined };
  }

  /**
   * One UniP (predictor, from step i to i+1) or UniC (corrector, re-doing step i-1 -> i with the
   * fresh model output) update; the two share everything but the index offset and the last rho.
   */
  private update(modelT: Float32Array | null, x: Float32Array, order: number, kind: 'predictor' | 'corrector'): Float32Array {
    const i = this.stepIdx!;
    const [tIdx, s0Idx] = kind === 'predictor' ? [i + 1, i] : [i, i - 1];
    const outs = this.modelOutputs;
    const m0 = outs[outs.length - 1]!;
    const [alphaT, sigmaT] = alphaSigma(this.sigmas[tIdx]);
    const [alphaS0, sigmaS0] = alphaSigma(this.sigmas[s0Idx]);
    const lambdaS0 = halfLogSnr(alphaS0, sigmaS0);
    const h = f(halfLogSnr(alphaT, sigmaT) - lambdaS0);

    const rks: number[] = [];
    const d1s: Float32Array[] = [];
    for (let k = 1; k < order; k++) {
      const si = kind === 'predictor' ? i - k : i - (k + 1);
      const mi = outs[outs.length - (k + 1)]!;
      const [a, s] = alphaSigma(this.sigmas[si]);
      const rk = f(f(halfLogSnr(a, s) - lambdaS0) / h);
      rks.push(rk);
      d1s.push(mi.map((v, j) => f(f(v - m0[j]) / rk)));
    }
    rks.push(1);

    const hh = this.predictX0 ? f(-h) : h;
    const hPhi1 = f(Math.expm1(hh));
    let hPhiK = f(f(hPhi1 / hh) - 1);
    let factorial = 1;
    const bH = this.bh === 'bh1' ? hh : f(Math.expm1(hh));
    const R: number[][] = [];
    const b: number[] = [];
    for (let k = 1; k <= order; k++) {
      R.push(rks.map((r) => f(r ** (k - 1))));
      b.push(f(f(hPhiK * factorial) / bH));
      factorial *= k + 1;
      hPhiK = f(f(hPhiK / hh) - f(1 / factorial));
    }

    let rhos: number[];
    if (kind === 'predictor') rhos = d1s.length === 0 ? [] : order === 2 ? [0.5] : solve(R.slice(0, -1).map((row) => row.slice(0, -1)), b.slice(0, -1)).map(f);
    else rhos = order === 1 ? [0.5] : solve(R, b).map(f);

    const [cx, cm] = this.predictX0
      ? [f(sigmaT / sigmaS0), f(alphaT * hPhi1)]
      : [f(alphaT / alphaS0), f(sigmaT * hPhi1)];
    const cRes = this.predictX0 ? f(alphaT * bH) : f(sigmaT * bH);
    return x.map((xv, j) => {
      const base = f(f(cx * xv) - f(cm * m0[j]));
      let res = 0;
      for (let k = 0; k < d1s.length; k++) res = f(res + f(rhos[k] * d1s[k][j]));
      if (kind === 'corrector') res = f(res + f(rhos[rhos.length - 1] * f(modelT![j] - m0[j])));
      return f(base - f(cRes * res));
    });
  }

  addNoise(original: Float32Array, noise: Float32Array, t: number): Float32Array {
    const idx = this.beginIdx === null ? this.indexForTimestep(t, true) : this.stepIdx ?? this.beginIdx;
    const [alpha, sigmaT] = alphaSigma(this.sigmas[idx]);
    return original.map((x, i) => f(f(alpha * x) + f(sigmaT * noise[i])));
  }
}

/** Gaussian elimination with partial pivoting for the tiny (<= 3x3) UniPC systems. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = c + 1; r < n; r++) {
      const k = M[r][c] / M[c][c];
      for (let j = c; j <= n; j++) M[r][j] -= k * M[c][j];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let j = r + 1; j < n; j++) s -= M[r][j] * x[j];
    x[r] = s / M[r][r];
  }
  return x;
}
