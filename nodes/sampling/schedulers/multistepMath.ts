// Half-log-SNR helpers shared by the multistep solvers (DPM-Solver++, UniPC), in torch float32 order.
import type { ConfigReader } from './config';
import { SchedulerConfigError, SchedulerStateError } from './errors';
import { logTableF32, roundHalfEven, sigmaToT } from './spacing';

const f = Math.fround;

/** (alpha_t, sigma_t) of the VP process for a k-diffusion sigma: alpha = 1/sqrt(sigma^2+1). */
export function alphaSigma(sigma: number): [number, number] {
  const alpha = f(1 / f(Math.sqrt(f(f(sigma * sigma) + 1))));
  return [alpha, f(sigma * alpha)];
}

/** lambda = log(alpha) - log(sigma_t); +Infinity at sigma = 0. */
export function halfLogSnr(alpha: number, sigmaT: number): number {
  return f(f(Math.log(alpha)) - f(Math.log(sigmaT)));
}

export type SigmaShape = 'none' | 'karras' | 'exponential' | 'lu';

/** use_karras_sigmas / use_exponential_sigmas (/ use_lu_lambdas), at most one of them. */
export function readSigmaShape(cfg: ConfigReader, withLu: boolean): SigmaShape {
  const karras = cfg.bool('use_karras_sigmas', false);
  const exponential = cfg.bool('use_exponential_sigmas', false);
  const lu = withLu ? cfg.bool('use_lu_lambdas', false) : false;
  if (cfg.bool('use_beta_sigmas', false)) {
    throw new SchedulerConfigError(cfg.scheduler, 'use_beta_sigmas', true, 'false (beta sigmas are not supported; use use_karras_sigmas or use_exponential_sigmas)');
  }
  if (cfg.bool('use_flow_sigmas', false)) {
    throw new SchedulerConfigError(cfg.scheduler, 'use_flow_sigmas', true, 'false (flow-matching sigmas are not supported)');
  }
  if (Number(karras) + Number(exponential) + Number(lu) > 1) {
    throw new SchedulerConfigError(cfg.scheduler, 'use_exponential_sigmas', true, 'only one of use_karras_sigmas, use_exponential_sigmas, use_lu_lambdas set to true');
  }
  return karras ? 'karras' : exponential ? 'exponential' : lu ? 'lu' : 'none';
}

/**
 * A custom descending sigma list (last = final sigma) as a multistep schedule: float32 sigmas and
 * the rounded training timestep of each step's sigma.
 */
export function customSigmaSchedule(
  className: string, sigmas: readonly number[], trainingSigmas: ArrayLike<number>,
): { timesteps: number[]; sigmas: number[] } {
  if (sigmas.length < 2 || sigmas.some((s) => !(s >= 0))) {
    throw new SchedulerStateError(className, 'custom sigmas need at least two non-negative values (the last is the final sigma)');
  }
  const logSigmas = logTableF32(trainingSigmas);
  const s32 = sigmas.map(Math.fround);
  return { timesteps: s32.slice(0, -1).map((s) => roundHalfEven(sigmaToT(s, logSigmas))), sigmas: s32 };
}
