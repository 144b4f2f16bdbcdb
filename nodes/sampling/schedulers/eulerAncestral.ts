// EulerAncestralDiscreteScheduler: Euler step to sigma_down plus fresh noise of size sigma_up.
import type { RawConfig } from './config';
import { DISCRETE_SCHEDULES, DiscreteSigmaScheduler } from './discrete';
import type { StepOptions, StepResult } from './types';

const f = Math.fround;

export class EulerAncestralDiscreteScheduler extends DiscreteSigmaScheduler {
  readonly className = 'EulerAncestralDiscreteScheduler';
  override usesNoise = true;

  constructor(raw: RawConfig = {}) {
    super(
      {
        className: 'EulerAncestralDiscreteScheduler',
        training: { defaults: { beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' }, schedules: DISCRETE_SCHEDULES, zeroSnr: 'rescale-and-pin' },
        predictions: ['epsilon', 'v_prediction'],
      },
      raw,
    );
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, opts?: StepOptions): StepResult {
    this.requireTimesteps();
    this.checkShapes(modelOutput, sample);
    const noiseSource = this.requireNoise(opts);
    const i = this.initStepIndex(t);
    const sigma = this.sigmas[i];
    const sigmaTo = this.sigmas[i + 1];
    const x0 = this.predictX0(modelOutput, sample, sigma);
    const from2 = f(sigma * sigma);
    const to2 = f(sigmaTo * sigmaTo);
    const sigmaUp = f(Math.sqrt(f(f(to2 * f(from2 - to2)) / from2)));
    const sigmaDown = f(Math.sqrt(f(to2 - f(sigmaUp * sigmaUp))));
    const dt = f(sigmaDown - sigma);
    // diffusers draws noise on every step, including the last (sigma_up = 0), so the stream stays aligned.
    const z = noiseSource.randn(sample.length);
    const prev = sample.map((x, k) => f(f(x + f(f(f(x - x0[k]) / sigma) * dt)) + f(z[k] * sigmaUp)));
    this.stepIdx = i + 1;
    return { prevSample: prev, predOriginalSample: x0 };
  }
}
