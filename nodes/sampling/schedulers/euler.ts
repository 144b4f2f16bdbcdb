// EulerDiscreteScheduler: k-diffusion's Euler method (Karras et al. 2022, Algorithm 2) with s_churn = 0.
import type { RawConfig } from './config';
import { DISCRETE_SCHEDULES, DiscreteSigmaScheduler } from './discrete';
import type { StepOptions, StepResult } from './types';

const f = Math.fround;

export class EulerDiscreteScheduler extends DiscreteSigmaScheduler {
  readonly className = 'EulerDiscreteScheduler';

  constructor(raw: RawConfig = {}) {
    super(
      {
        className: 'EulerDiscreteScheduler',
        training: { defaults: { beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' }, schedules: DISCRETE_SCHEDULES, zeroSnr: 'rescale-and-pin' },
        predictions: ['epsilon', 'sample', 'v_prediction'],
        sigmaShapes: true,
        configSigmaRange: true,
        finalSigmasType: true,
        timestepType: true,
      },
      raw,
    );
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, _opts?: StepOptions): StepResult {
    this.requireTimesteps();
    this.checkShapes(modelOutput, sample);
    const i = this.initStepIndex(t);
    const sigma = this.sigmas[i];
    const x0 = this.predictX0(modelOutput, sample, sigma);
    const dt = f(this.sigmas[i + 1] - sigma);
    const prev = new Float32Array(sample.length);
    for (let k = 0; k < prev.length; k++) prev[k] = f(sample[k] + f(f(f(sample[k] - x0[k]) / sigma) * dt));
    this.stepIdx = i + 1;
    return { prevSample: prev, predOriginalSample: x0 };
  }
}
