// LMSDiscreteScheduler: linear multistep (Adams-Bashforth in sigma) of up to 4th order.
import type { RawConfig } from './config';
import { DISCRETE_SCHEDULES, DiscreteSigmaScheduler } from './discrete';
import type { StepOptions, StepResult } from './types';

const f = Math.fround;

// 8-point Gauss-Legendre nodes/weights on [-1, 1]: exact for the cubic Lagrange basis polynomials
// LMS integrates (diffusers uses scipy.integrate.quad, which is exact for them as well).
const GL_X = [-0.9602898564975363, -0.7966664774136267, -0.525532409916329, -0.1834346424956498, 0.1834346424956498, 0.525532409916329, 0.7966664774136267, 0.9602898564975363];
const GL_W = [0.1012285362903763, 0.2223810344533745, 0.3137066458778873, 0.362683783378362, 0.362683783378362, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763];

export class LMSDiscreteScheduler extends DiscreteSigmaScheduler {
  readonly className = 'LMSDiscreteScheduler';
  private derivatives: Float32Array[] = [];
  /** Maximum multistep order (diffusers' step(order=4) argument). */
  lmsOrder = 4;

  constructor(raw: RawConfig = {}) {
    super(
      {
        className: 'LMSDiscreteScheduler',
        training: { defaults: { beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' }, schedules: DISCRETE_SCHEDULES },
        predictions: ['epsilon', 'sample', 'v_prediction'],
        sigmaShapes: true,
      },
      raw,
    );
  }

  protected override resetState(): void {
    this.derivatives = [];
  }

  /** Integral over [sigma_t, sigma_t+1] of the Lagrange basis polynomial for derivative `current`. */
  lmsCoefficient(order: number, t: number, current: number): number {
    const s = this.sigmas;
    const basis = (tau: number): number => {
      let prod = 1;
      for (let k = 0; k < order; k++) {
        if (k === current) continue;
        prod *= (tau - s[t - k]) / (s[t - current] - s[t - k]);
      }
      return prod;
    };
    const a = s[t];
    const b = s[t + 1];
    const half = (b - a) / 2;
    const mid = (a + b) / 2;
    let sum = 0;
    for (let k = 0; k < GL_X.length; k++) sum += GL_W[k] * basis(mid + half * GL_X[k]);
    return sum * half;
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, _opts?: StepOptions): StepResult {
    this.requireTimesteps();
    this.checkShapes(modelOutput, sample);
    const i = this.initStepIndex(t);
    const sigma = this.sigmas[i];
    const x0 = this.predictX0(modelOutput, sample, sigma);
    this.derivatives.push(sample.map((x, k) => f(f(x - x0[k]) / sigma)));
    if (this.derivatives.length > this.lmsOrder) this.derivatives.shift();
    const order = Math.min(i + 1, this.lmsOrder);
    const coeffs = Array.from({ length: order }, (_, c) => f(this.lmsCoefficient(order, i, c)));
    const newestFirst = [...this.derivatives].reverse();
    // zip() in diffusers stops at the shorter list (fewer derivatives after a late start).
    const terms = Math.min(order, newestFirst.length);
    const prev = new Float32Array(sample.length);
    for (let k = 0; k < sample.length; k++) {
      // Python's sum() starts from 0 and adds each coefficient * derivative in turn.
      let acc = 0;
      for (let c = 0; c < terms; c++) acc = f(acc + f(coeffs[c] * newestFirst[c][k]));
      prev[k] = f(sample[k] + acc);
    }
    this.stepIdx = i + 1;
    return { prevSample: prev, predOriginalSample: x0 };
  }
}
