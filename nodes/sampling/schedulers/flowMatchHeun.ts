// FlowMatchHeunDiscreteScheduler: Heun's method on the flow-matching ODE, two velocity evaluations per
// step (the last step, to sigma 0, is a plain Euler step), on the statically shifted sigma schedule.
import type { RawConfig } from './config';
import { FlowMatchScheduler } from './flowMatch';
import type { StepOptions, StepResult } from './types';

const f = Math.fround;

export class FlowMatchHeunDiscreteScheduler extends FlowMatchScheduler {
  readonly className = 'FlowMatchHeunDiscreteScheduler';
  override order = 2;
  private prevDerivative: Float32Array | null = null;
  private dt: number | null = null;
  private firstSample: Float32Array | null = null;

  constructor(raw: RawConfig = {}) {
    super({ className: 'FlowMatchHeunDiscreteScheduler', dynamic: false }, raw);
  }

  /** Every sigma but the first and the final 0 is visited twice: once per model evaluation. */
  setTimesteps(n: number): void {
    const sigmas = this.stepSigmas(n);
    const timesteps = sigmas.map((s) => f(s * this.T));
    this.applySchedule(
      [timesteps[0], ...timesteps.slice(1).flatMap((t) => [t, t])],
      [sigmas[0], ...sigmas.slice(1).flatMap((s) => [s, s]), 0],
      n,
    );
  }

  protected override resetState(): void {
    this.prevDerivative = null;
    this.dt = null;
    this.firstSample = null;
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, _opts?: StepOptions): StepResult {
    this.requireTimesteps();
    this.checkShapes(modelOutput, sample);
    const i = this.initStepIndex(t);
    const first = this.dt === null;
    // diffusers goes through denoised = x - sigma·v and back to (x - denoised)/sigma: kept for equal float32 results.
    const sigma = first ? this.sigmas[i] : this.sigmas[i - 1];
    const sigmaNext = first ? this.sigmas[i + 1] : this.sigmas[i];
    const at = first ? sigma : sigmaNext;
    const x0 = this.predictX0(modelOutput, sample, at);
    const prev = new Float32Array(sample.length);
    if (first) {
      const dt = f(sigmaNext - sigma);
      const derivative = new Float32Array(sample.length);
      for (let k = 0; k < prev.length; k++) {
        derivative[k] = f(f(sample[k] - x0[k]) / sigma);
        prev[k] = f(sample[k] + f(derivative[k] * dt));
      }
      this.prevDerivative = derivative;
      this.dt = dt;
      this.firstSample = sample;
    } else {
      const d0 = this.prevDerivative!;
      const dt = this.dt!;
      const base = this.firstSample!;
      for (let k = 0; k < prev.length; k++) {
        const d1 = f(f(sample[k] - x0[k]) / sigmaNext);
        prev[k] = f(base[k] + f(f(0.5 * f(d0[k] + d1)) * dt));
      }
      this.resetState();
    }
    this.stepIdx = i + 1;
    return { prevSample: prev, predOriginalSample: x0 };
  }
}
