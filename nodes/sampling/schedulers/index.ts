// Entry point of the scheduler library: names (ComfyUI sampler aliases + diffusers class names),
// createScheduler(), and the img2img / refiner start-step helper.
import { isScheduleName, scheduleSigmas, SCHEDULE_NAMES, type ScheduleName } from '../sigmas';
import type { RawConfig } from './config';
import { DDIMScheduler } from './ddim';
import { DDPMScheduler } from './ddpm';
import { DPMSolverMultistepScheduler } from './dpmSolverMultistep';
import { SchedulerConfigError, SchedulerStateError, UnknownSchedulerError } from './errors';
import { EulerDiscreteScheduler } from './euler';
import { EulerAncestralDiscreteScheduler } from './eulerAncestral';
import { FLOW_SPACINGS, isFlowMatchClass } from './flowMatch';
import { FlowMatchEulerDiscreteScheduler } from './flowMatchEuler';
import { FlowMatchHeunDiscreteScheduler } from './flowMatchHeun';
import { HeunDiscreteScheduler } from './heun';
import { LCMScheduler } from './lcm';
import { LMSDiscreteScheduler } from './lms';
import { PNDMScheduler } from './pndm';
import type { Scheduler } from './types';
import { UniPCMultistepScheduler } from './uniPcMultistep';

export type { Scheduler, StepOptions, StepResult, NoiseSource } from './types';
export { SchedulerConfigError, SchedulerStateError, UnknownSchedulerError } from './errors';
export { SCHEDULE_NAMES, scheduleSigmas, type ScheduleName } from '../sigmas';
export {
  DDIMScheduler, DDPMScheduler, DPMSolverMultistepScheduler, EulerAncestralDiscreteScheduler, EulerDiscreteScheduler,
  FlowMatchEulerDiscreteScheduler, FlowMatchHeunDiscreteScheduler, HeunDiscreteScheduler, LCMScheduler, LMSDiscreteScheduler,
  PNDMScheduler, UniPCMultistepScheduler,
};
export { isFlowMatchClass, resolutionShift, FlowMatchScheduler, FLOW_SPACINGS, type FlowSpacing } from './flowMatch';

type SchedulerClass = new (config?: RawConfig) => Scheduler;

const CLASSES = {
  DDIMScheduler,
  DDPMScheduler,
  PNDMScheduler,
  EulerDiscreteScheduler,
  EulerAncestralDiscreteScheduler,
  HeunDiscreteScheduler,
  LMSDiscreteScheduler,
  DPMSolverMultistepScheduler,
  UniPCMultistepScheduler,
  LCMScheduler,
  FlowMatchEulerDiscreteScheduler,
  FlowMatchHeunDiscreteScheduler,
} satisfies Record<string, SchedulerClass>;

export type SchedulerClassName = keyof typeof CLASSES;
export const SCHEDULER_CLASS_NAMES = Object.keys(CLASSES) as SchedulerClassName[];

/** ComfyUI sampler names: the class plus the config keys that select the algorithm. */
const SAMPLERS = {
  euler: { className: 'EulerDiscreteScheduler', overrides: {} },
  euler_ancestral: { className: 'EulerAncestralDiscreteScheduler', overrides: {} },
  heun: { className: 'HeunDiscreteScheduler', overrides: {} },
  lms: { className: 'LMSDiscreteScheduler', overrides: {} },
  ddim: { className: 'DDIMScheduler', overrides: {} },
  dpmpp_2m: { className: 'DPMSolverMultistepScheduler', overrides: { algorithm_type: 'dpmsolver++', solver_order: 2 } },
  dpmpp_2m_sde: { className: 'DPMSolverMultistepScheduler', overrides: { algorithm_type: 'sde-dpmsolver++', solver_order: 2 } },
  uni_pc: { className: 'UniPCMultistepScheduler', overrides: {} },
  lcm: { className: 'LCMScheduler', overrides: {} },
  ddpm: { className: 'DDPMScheduler', overrides: {} },
  pndm: { className: 'PNDMScheduler', overrides: {} },
} as const satisfies Record<string, { className: SchedulerClassName; overrides: RawConfig }>;

export type SamplerName = keyof typeof SAMPLERS;
/** Sampler choices for the Sampler node (ComfyUI spelling). */
export const SAMPLER_NAMES = Object.keys(SAMPLERS) as SamplerName[];
/** Every name createScheduler() accepts. */
export const ALL_SCHEDULER_NAMES: readonly string[] = [...SAMPLER_NAMES, ...SCHEDULER_CLASS_NAMES];

export interface CreateSchedulerOptions {
  /**
   * ComfyUI-style sigma schedule. Omitted: the diffusers config decides (timestep_spacing,
   * use_karras_sigmas ...). Given: sigma-based schedulers (euler, euler_ancestral, heun, lms,
   * dpmpp_2m, dpmpp_2m_sde, uni_pc) run on that schedule; the timestep-based ones (ddim, ddpm,
   * pndm, lcm) accept only "normal", which leaves their diffusers spacing in place.
   */
  schedule?: ScheduleName;
}

/** Maps a sampler alias or diffusers class name (exact, then case-insensitive) to its class and fixed config keys. */
export function resolveSchedulerName(name: string): { className: SchedulerClassName; overrides: RawConfig } {
  if (name in SAMPLERS) return SAMPLERS[name as SamplerName];
  if (name in CLASSES) return { className: name as SchedulerClassName, overrides: {} };
  const lower = name.toLowerCase();
  const byCase = ALL_SCHEDULER_NAMES.find((n) => n.toLowerCase() === lower);
  if (byCase) return resolveSchedulerName(byCase);
  throw new UnknownSchedulerError(name, ALL_SCHEDULER_NAMES);
}

/**
 * Build a scheduler from a sampler alias or diffusers class name and a diffusers
 * scheduler_config.json object (snake_case keys; unknown keys are ignored like diffusers does).
 */
export function createScheduler(name: string, config: Record<string, unknown> = {}, options: CreateSchedulerOptions = {}): Scheduler {
  const { className, overrides } = resolveSchedulerName(name);
  const Ctor: SchedulerClass = CLASSES[className];
  const scheduler = new Ctor({ ...config, ...overrides });
  const schedule = options.schedule;
  if (schedule !== undefined) {
    if (!isScheduleName(schedule)) throw new UnknownSchedulerError(String(schedule), SCHEDULE_NAMES, 'schedule');
    if (scheduler.setSigmas && scheduler.trainingSigmas) {
      const table = scheduler.trainingSigmas;
      scheduler.sigmaSchedule = (steps) => scheduleSigmas(schedule, table, steps);
    } else if (schedule !== 'normal') {
      throw new SchedulerConfigError(className, 'schedule', schedule, `"normal" for ${name}: it steps through fixed timesteps; use a sigma-based sampler (euler, euler_ancestral, heun, lms, dpmpp_2m, dpmpp_2m_sde, uni_pc) for "${schedule}"`);
    }
  }
  return scheduler;
}

/** Sampler names a flow-matching (velocity) model runs with, and the scheduler class each one means there. */
const FLOW_SAMPLERS: Partial<Record<string, SchedulerClassName>> = {
  euler: 'FlowMatchEulerDiscreteScheduler',
  heun: 'FlowMatchHeunDiscreteScheduler',
  FlowMatchEulerDiscreteScheduler: 'FlowMatchEulerDiscreteScheduler',
  FlowMatchHeunDiscreteScheduler: 'FlowMatchHeunDiscreteScheduler',
};

/**
 * The scheduler a flow-matching model (scheduler_config.json names a FlowMatch class) runs for the Sampler
 * node's choice: euler and heun mean their flow-matching versions; the noise-prediction samplers (DDIM,
 * DPM++, ...) step an epsilon model's equations and are refused rather than silently swapped.
 */
export function flowSchedulerFor(sampler: string, schedule: string = 'normal'): SchedulerClassName {
  const className = FLOW_SAMPLERS[sampler];
  if (!className) {
    throw new SchedulerConfigError('FlowMatchEulerDiscreteScheduler', 'sampler', sampler, 'euler or heun: this model predicts flow-matching velocity, which the other samplers do not step');
  }
  if (!(FLOW_SPACINGS as readonly string[]).includes(schedule)) {
    throw new SchedulerConfigError(className, 'schedule', schedule, `${FLOW_SPACINGS.join(', ')} for a flow-matching model: its sigmas come from the shift in scheduler_config.json`);
  }
  return className;
}

/** True when a scheduler_config.json belongs to a flow-matching model. */
export function isFlowMatchConfig(config: Record<string, unknown>): boolean {
  return isFlowMatchClass(config._class_name);
}

export interface DenoiseStart {
  /** Index into `scheduler.timesteps` where sampling starts (already passed to setBeginIndex). */
  startIndex: number;
  /** The timesteps still to run, i.e. scheduler.timesteps.slice(startIndex); empty for strength 0. */
  timesteps: number[];
  /** Timestep for addNoise() on the encoded image, or null when nothing is to be denoised. */
  noiseTimestep: number | null;
}

/**
 * img2img / refiner start for a denoise `strength` in [0, 1], following diffusers' get_timesteps:
 * init = min(trunc(steps * strength), steps); tStart = max(steps - init, 0); the run continues from
 * timesteps[tStart * order]. Calls setTimesteps(steps) and setBeginIndex(startIndex).
 */
export function startForStrength(scheduler: Scheduler, steps: number, strength: number): DenoiseStart {
  if (!(strength >= 0 && strength <= 1)) {
    throw new SchedulerStateError(scheduler.className, `denoise strength must be between 0 and 1, got ${strength}`);
  }
  scheduler.setTimesteps(steps);
  const init = Math.min(Math.trunc(steps * strength), steps);
  const tStart = Math.max(steps - init, 0);
  const startIndex = Math.min(tStart * scheduler.order, scheduler.timesteps.length);
  const timesteps = scheduler.timesteps.slice(startIndex);
  if (timesteps.length > 0) scheduler.setBeginIndex(startIndex);
  return { startIndex, timesteps, noiseTimestep: timesteps.length > 0 ? timesteps[0] : null };
}
