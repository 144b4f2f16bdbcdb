// HeunDiscreteScheduler: Karras et al. (2022) Algorithm 1 (2nd order, two model evaluations per step).
import type { RawConfig } from './config';
import { DiscreteSigmaScheduler } from './discrete';
import type { StepOptions, StepResult } from './types';

const f = Math.fround;

export class HeunDiscreteScheduler extends DiscreteSigmaScheduler {
  readonly className = 'HeunDiscreteScheduler';
  override order = 2;
  private readonly clip: number | null;
  private prevDerivative: Float32Array | null = null;
  private dt: number | null = null;
  private firstSample: Float32Array | null = null;

  constructor(raw: RawConfig = {}) {
    super(
      {
        className: 'HeunDiscreteScheduler',
        training: { defaults: { beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'linear' }, schedules: ['linear', 'scaled_linear', 'squaredcos_cap_v2', 'exp'] },
        predictions: ['epsilon', 'sample', 'v_prediction'],
        sigmaShapes: true,
        readExtra: (cfg) => ({
          clip: cfg.bool('clip_sample', false),
          range: cfg.number('clip_sample_range', 1.0, { above: 0 }),
        }),
      },
      raw,
    );
    this.clip = this.extra.clip ? (this.extra.range as number) : null;
  }

  /** Every sigma but the first and last is visited twice: once per model evaluation. */
  protected override applySchedule(timesteps: number[], sigmas: number[], n: number): void {
    const dupSigmas = [sigmas[0], ...sigmas.slice(1, -1).flatMap((s) => [s, s]), sigmas[sigmas.length - 1]];
    const dupTimesteps = [timesteps[0], ...timesteps.slice(1).flatMap((t) => [t, t])];
    super.applySchedule(dupTimesteps, dupSigmas, n);
  }

  protected override resetState(): void {
    this.prevDerivative = null;
    this.dt = null;
    this.firstSample = null;
  }

  /** True when the next step is the Euler (first) half of a Heun step. */
  get stateInFirstOrder(): boolean {
    return this.dt === null;
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, _opts?: StepOptions): StepResult {
    this.requireTimesteps();
    this.checkShapes(modelOutput, sample);
    const i = this.initStepIndex(t);
    const first = this.dt === null;
    const sigma = first ? this.sigmas[i] : this.sigmas[i - 1];
    const sigmaNext = first ? this.sigmas[i + 1] : this.sigmas[i];
    let x0 = this.predictX0(modelOutput, sample, first ? sigma : sigmaNext);
    if (this.clip !== null) {
      const r = this.clip;
      x0 = x0.map((v) => Math.min(r, Math.max(-r, v)));
    }
    let prev: Float32Array;
    if (first) {
      const derivative = sample.map((x, k) => f(f(x - x0[k]) / sigma));
      const dt = f(sigmaNext - sigma);
      this.prevDerivative = derivative;
      this.dt = dt;
      this.firstSample = sample;
      prev = sample.map((x, k) => f(x + f(derivative[k] * dt)));
    } else {
      const d0 = this.prevDerivative!;
      const dt = this.dt!;
      const base = this.firstSample!;
      prev = base.map((x, k) => {
        const d1 = f(f(sample[k] - x0[k]) / sigmaNext);
        return f(x + f(f(f(d0[k] + d1) / 2) * dt));
      });
      this.resetState();
    }
    this.stepIdx = i + 1;
    return { prevSample: prev, predOriginalSample: x0 };
  }
}
