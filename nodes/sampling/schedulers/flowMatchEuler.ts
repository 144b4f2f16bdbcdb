// FlowMatchEulerDiscreteScheduler (SD3, SD3.5, Flux): one Euler step along the predicted velocity,
// x_next = x + (sigma_next - sigma)·v, on a shifted (static or resolution-dependent) sigma schedule.
import type { RawConfig } from './config';
import { FlowMatchScheduler } from './flowMatch';
import type { StepOptions, StepResult } from './types';

const f = Math.fround;

export class FlowMatchEulerDiscreteScheduler extends FlowMatchScheduler {
  readonly className = 'FlowMatchEulerDiscreteScheduler';

  constructor(raw: RawConfig = {}) {
    super({ className: 'FlowMatchEulerDiscreteScheduler', dynamic: true }, raw);
  }

  setTimesteps(n: number): void {
    const sigmas = this.stepSigmas(n);
    this.applySchedule(sigmas.map((s) => f(s * this.T)), [...sigmas, 0], n);
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, _opts?: StepOptions): StepResult {
    this.requireTimesteps();
    this.checkShapes(modelOutput, sample);
    const i = this.initStepIndex(t);
    const sigma = this.sigmas[i];
    const dt = f(this.sigmas[i + 1] - sigma);
    const prev = new Float32Array(sample.length);
    for (let k = 0; k < prev.length; k++) prev[k] = f(sample[k] + f(dt * modelOutput[k]));
    this.stepIdx = i + 1;
    return { prevSample: prev, predOriginalSample: this.predictX0(modelOutput, sample, sigma) };
  }
}
