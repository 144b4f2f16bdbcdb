// The training noise schedule (betas -> alpha_bar) computed the way diffusers/torch do in float32,
// so that every scheduler starts from the same table as its Python counterpart.
import type { ConfigReader } from './config';
import { SchedulerConfigError } from './errors';
import { logTableF32 } from './spacing';

const f = Math.fround;

export const BETA_SCHEDULES = ['linear', 'scaled_linear', 'squaredcos_cap_v2'] as const;
export type BetaSchedule = 'linear' | 'scaled_linear' | 'squaredcos_cap_v2' | 'exp' | 'sigmoid' | 'laplace';

export interface TrainingSchedule {
  numTrainTimesteps: number;
  betas: Float32Array;
  alphasCumprod: Float32Array;
}

/** torch.linspace(start, end, steps, dtype=float32): both halves are anchored at their end point. */
export function torchLinspaceF32(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  const s = f(start);
  const e = f(end);
  if (steps === 1) {
    out[0] = s;
    return out;
  }
  const step = f(f(e - s) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) {
    out[i] = i < halfway ? f(s + f(step * i)) : f(e - f(step * (steps - i - 1)));
  }
  return out;
}

type AlphaBar = 'cosine' | 'exp' | 'laplace';

/** diffusers' betas_for_alpha_bar, computed in float64 then stored as float32. */
export function betasForAlphaBar(n: number, transform: AlphaBar = 'cosine', maxBeta = 0.999): Float32Array {
  const alphaBar = (t: number): number => {
    if (transform === 'cosine') return Math.cos(((t + 0.008) / 1.008) * Math.PI / 2) ** 2;
    if (transform === 'exp') return Math.exp(t * -12.0);
    const lmb = -0.5 * Math.sign(0.5 - t || 1) * Math.log(1 - 2 * Math.abs(0.5 - t) + 1e-6);
    const snr = Math.exp(lmb);
    return Math.sqrt(snr / (1 + snr));
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = Math.min(1 - alphaBar((i + 1) / n) / alphaBar(i / n), maxBeta);
  }
  return out;
}

/** torch.cumprod on float32 accumulates in double on CPU and rounds each output. */
export function cumprodF32(alphas: Float32Array): Float32Array {
  const out = new Float32Array(alphas.length);
  let acc = 1;
  for (let i = 0; i < alphas.length; i++) {
    acc *= alphas[i];
    out[i] = acc;
  }
  return out;
}

/** diffusers' rescale_zero_terminal_snr (arXiv 2305.08891, Algorithm 1), in float32 steps. */
export function rescaleZeroTerminalSnr(betas: Float32Array): Float32Array {
  const alphas = betas.map((b) => f(1 - b));
  const sqrtBar = cumprodF32(alphas).map((a) => f(Math.sqrt(a)));
  const first = sqrtBar[0];
  const last = sqrtBar[sqrtBar.length - 1];
  const scale = f(first / f(first - last));
  const bar = sqrtBar.map((v) => {
    const shifted = f(f(v - last) * scale);
    return f(shifted * shifted);
  });
  const out = new Float32Array(betas.length);
  out[0] = f(1 - bar[0]);
  for (let i = 1; i < bar.length; i++) out[i] = f(1 - f(bar[i] / bar[i - 1]));
  return out;
}

export interface TrainingOptions {
  defaults: { beta_start: number; beta_end: number; beta_schedule: BetaSchedule };
  schedules: readonly BetaSchedule[];
  /** Whether this class has rescale_betas_zero_snr; sigma-based ones also pin alpha_bar[-1] = 2^-24. */
  zeroSnr?: 'none' | 'rescale' | 'rescale-and-pin';
}

/**
 * Tables built, by their inputs. Every run's sampler makes a scheduler (a batch of 16 makes 16 alike), and building
 * the tables took most of its 0.7 ms. They are shared, so nothing may write into them (nothing does).
 */
const built = new Map<string, TrainingSchedule>();
const MAX_BUILT = 64;
const sigmaTables = new WeakMap<TrainingSchedule, { sigmas: Float32Array; logSigmas: Float32Array }>();

/** trainingSigmas and their float32 logs for a table readTrainingSchedule returned, built once per table. */
export function trainingSigmaTables(t: TrainingSchedule): { sigmas: Float32Array; logSigmas: Float32Array } {
  let tables = sigmaTables.get(t);
  if (!tables) {
    const sigmas = trainingSigmas(t.alphasCumprod);
    tables = { sigmas, logSigmas: logTableF32(sigmas) };
    sigmaTables.set(t, tables);
  }
  return tables;
}

/** Reads the training-schedule keys shared by every diffusers scheduler and builds alpha_bar (once per inputs). */
export function readTrainingSchedule(cfg: ConfigReader, opts: TrainingOptions): TrainingSchedule {
  const n = cfg.number('num_train_timesteps', 1000, { integer: true, min: 2 });
  const betaStart = cfg.number('beta_start', opts.defaults.beta_start, { above: 0, max: 1 });
  const betaEnd = cfg.number('beta_end', opts.defaults.beta_end, { above: 0, max: 1 });
  const schedule = cfg.choice('beta_schedule', opts.schedules, opts.defaults.beta_schedule);
  const trained = cfg.numberList('trained_betas', { min: 0, max: 1 });
  const zeroSnr = opts.zeroSnr ?? 'none';
  const rescale = zeroSnr === 'none' ? false : cfg.bool('rescale_betas_zero_snr', false);

  const key = JSON.stringify([n, betaStart, betaEnd, schedule, trained ?? null, rescale, zeroSnr]);
  const known = built.get(key);
  if (known) return known;
  let betas: Float32Array;
  if (trained) {
    if (trained.length !== n) {
      throw new SchedulerConfigError(cfg.scheduler, 'trained_betas', trained, `an array of num_train_timesteps (${n}) numbers`);
    }
    betas = Float32Array.from(trained);
  } else {
    if (betaEnd < betaStart && (schedule === 'linear' || schedule === 'scaled_linear' || schedule === 'sigmoid')) {
      throw new SchedulerConfigError(cfg.scheduler, 'beta_end', betaEnd, `a number >= beta_start (${betaStart})`);
    }
    betas = buildBetas(schedule, betaStart, betaEnd, n);
  }
  if (rescale) betas = rescaleZeroTerminalSnr(betas);
  const alphasCumprod = cumprodF32(betas.map((b) => f(1 - b)));
  if (rescale && zeroSnr === 'rescale-and-pin') alphasCumprod[n - 1] = 2 ** -24;
  const table = { numTrainTimesteps: n, betas, alphasCumprod };
  if (built.size >= MAX_BUILT) built.delete(built.keys().next().value!);
  built.set(key, table);
  return table;
}

function buildBetas(schedule: BetaSchedule, start: number, end: number, n: number): Float32Array {
  switch (schedule) {
    case 'linear':
      return torchLinspaceF32(start, end, n);
    case 'scaled_linear':
      return torchLinspaceF32(Math.sqrt(start), Math.sqrt(end), n).map((x) => f(x * x));
    case 'squaredcos_cap_v2':
      return betasForAlphaBar(n, 'cosine');
    case 'exp':
      return betasForAlphaBar(n, 'exp');
    case 'laplace':
      return betasForAlphaBar(n, 'laplace');
    case 'sigmoid': {
      const span = f(end - start);
      return torchLinspaceF32(-6, 6, n).map((x) => f(f(f(1 / (1 + Math.exp(-x))) * span) + f(start)));
    }
  }
}

/** sigma = sqrt((1 - alpha_bar) / alpha_bar) per training timestep, in float32 like torch. */
export function trainingSigmas(alphasCumprod: Float32Array): Float32Array {
  return alphasCumprod.map((a) => f(Math.sqrt(f(f(1 - a) / a))));
}
