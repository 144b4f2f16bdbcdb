// The scheduler contract shared by every scheduler module (mirrors diffusers' SchedulerMixin).
import type { NoiseSource } from '../noise';

export type { NoiseSource };

export interface StepOptions {
  /** DDIM's eta (0 = deterministic DDIM, 1 = DDPM-like variance). */
  eta?: number;
  /** Seeded noise for schedulers that inject noise (ancestral, SDE, DDPM, LCM, DDIM with eta > 0). */
  noise?: NoiseSource;
  /** Batch items in the flat sample (NCHW batch size); only dynamic thresholding needs it. Default 1. */
  batch?: number;
}

export interface StepResult {
  prevSample: Float32Array;
  /** The denoised estimate x0 at this step (LCM's `denoised`), when the scheduler computes one. */
  predOriginalSample?: Float32Array;
}

export interface Scheduler {
  /** diffusers class name, e.g. "EulerDiscreteScheduler". */
  readonly className: string;
  /** The resolved config: every key this class knows, with defaults filled in (diffusers spelling). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Config keys given but not used by this class (diffusers ignores them too). */
  readonly ignoredConfigKeys: readonly string[];
  /** diffusers' order (Heun: 2): img2img starts at timesteps[tStart * order]. Each `timesteps` entry is one model evaluation. */
  readonly order: number;
  readonly initNoiseSigma: number;
  /**
   * The timestep passed to the model at each model evaluation, in order. Multi-evaluation
   * schedulers (Heun, PNDM's Runge-Kutta warm-up) repeat entries like diffusers, so
   * `timesteps.length` is the number of model evaluations of a full run.
   */
  readonly timesteps: number[];
  /** Noise levels (sigma = sqrt((1 - alpha_bar) / alpha_bar)) for sigma-based schedulers, length timesteps+1. */
  readonly sigmas?: number[];
  /** Training schedule alpha_bar, as the float32 values diffusers holds (widened to float64). */
  readonly alphasCumprod: Float64Array;
  readonly numInferenceSteps: number | null;
  /** Index of the next step, null until the first step/scaleModelInput. */
  readonly stepIndex: number | null;
  /** True when every `step` draws noise, so the caller must pass `opts.noise` (DDIM needs it only for eta > 0). */
  readonly usesNoise: boolean;

  setTimesteps(numInferenceSteps: number): void;
  /** Start at timesteps[beginIndex] instead of looking the first timestep up (img2img, refiner). */
  setBeginIndex(beginIndex: number): void;
  scaleModelInput(sample: Float32Array, t: number): Float32Array;
  step(modelOutput: Float32Array, t: number, sample: Float32Array, opts?: StepOptions): StepResult;
  addNoise(original: Float32Array, noise: Float32Array, t: number): Float32Array;
  /** Sigma-based schedulers: run with an explicit descending sigma list (last entry = final sigma). */
  setSigmas?(sigmas: readonly number[]): void;
  /** Sigma-based schedulers: ascending sigma per training timestep. */
  readonly trainingSigmas?: Float32Array;
  /**
   * Sigma-based schedulers: when set, setTimesteps(n) runs setSigmas(sigmaSchedule(n)) instead of
   * the config's spacing (how ComfyUI-style schedules such as "karras" are applied).
   */
  sigmaSchedule?: ((steps: number) => number[]) | null;
}
