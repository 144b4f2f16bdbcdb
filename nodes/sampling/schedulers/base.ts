// State shared by every scheduler: resolved config, training table, step index bookkeeping.
import type { ConfigReader } from './config';
import { SchedulerConfigError, SchedulerStateError } from './errors';
import type { TrainingSchedule } from './trainingSchedule';
import type { NoiseSource, Scheduler, StepOptions, StepResult } from './types';

export abstract class SchedulerBase implements Scheduler {
  abstract readonly className: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly ignoredConfigKeys: readonly string[];
  readonly alphasCumprod: Float64Array;
  order = 1;
  initNoiseSigma = 1;
  timesteps: number[] = [];
  numInferenceSteps: number | null = null;
  usesNoise = false;
  protected readonly acp: Float32Array;
  protected readonly T: number;
  protected stepIdx: number | null = null;
  protected beginIdx: number | null = null;

  protected constructor(cfg: ConfigReader, train: TrainingSchedule) {
    this.acp = train.alphasCumprod;
    this.T = train.numTrainTimesteps;
    this.alphasCumprod = Float64Array.from(train.alphasCumprod);
    this.config = cfg.resolved;
    this.ignoredConfigKeys = cfg.ignoredKeys();
  }

  get stepIndex(): number | null {
    return this.stepIdx;
  }

  abstract setTimesteps(numInferenceSteps: number): void;
  abstract step(modelOutput: Float32Array, t: number, sample: Float32Array, opts?: StepOptions): StepResult;
  abstract addNoise(original: Float32Array, noise: Float32Array, t: number): Float32Array;

  setBeginIndex(beginIndex: number): void {
    if (!Number.isInteger(beginIndex) || beginIndex < 0 || (this.timesteps.length && beginIndex >= this.timesteps.length)) {
      throw new SchedulerStateError(this.className, `begin index ${beginIndex} is outside 0..${this.timesteps.length - 1}; call setTimesteps first`);
    }
    this.beginIdx = beginIndex;
  }

  scaleModelInput(sample: Float32Array, _t: number): Float32Array {
    return sample;
  }

  protected checkSteps(n: number, max = this.T): void {
    if (!Number.isInteger(n) || n < 1 || n > max) {
      throw new SchedulerConfigError(this.className, 'num_inference_steps', n, `an integer between 1 and ${max}`);
    }
  }

  protected requireTimesteps(): void {
    if (this.numInferenceSteps === null) {
      throw new SchedulerStateError(this.className, 'call setTimesteps(numInferenceSteps) before step()');
    }
  }

  /** diffusers' index_for_timestep: the second match when a timestep repeats (Heun), else the first. */
  protected indexForTimestep(t: number, fallbackToLast = false): number {
    const hits: number[] = [];
    for (let i = 0; i < this.timesteps.length && hits.length < 2; i++) if (this.timesteps[i] === t) hits.push(i);
    if (hits.length === 0) {
      if (fallbackToLast) return this.timesteps.length - 1;
      throw new SchedulerStateError(this.className, `timestep ${t} is not in this schedule (${this.timesteps.slice(0, 5).join(', ')}...)`);
    }
    return hits.length > 1 ? hits[1] : hits[0];
  }

  protected initStepIndex(t: number, fallbackToLast = false): number {
    if (this.stepIdx === null) this.stepIdx = this.beginIdx ?? this.indexForTimestep(t, fallbackToLast);
    return this.stepIdx;
  }

  protected requireNoise(opts: StepOptions | undefined): NoiseSource {
    if (!opts?.noise) {
      throw new SchedulerStateError(this.className, 'this scheduler injects noise at every step; pass opts.noise (createNoise(seed))');
    }
    return opts.noise;
  }

  /** Sample length check: model output and sample must describe the same latent. */
  protected checkShapes(modelOutput: Float32Array, sample: Float32Array): void {
    if (modelOutput.length !== sample.length) {
      throw new SchedulerStateError(this.className, `model output has ${modelOutput.length} values but the sample has ${sample.length}`);
    }
  }
}
