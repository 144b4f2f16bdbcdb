// ComfyUI-style sigma schedules ("normal", "karras", "exponential", "sgm_uniform", "simple") computed
// from a model's training sigma table; each returns `steps` descending sigmas plus a final 0.

export const SCHEDULE_NAMES = ['normal', 'karras', 'exponential', 'sgm_uniform', 'simple'] as const;
export type ScheduleName = (typeof SCHEDULE_NAMES)[number];

export function isScheduleName(name: string): name is ScheduleName {
  return (SCHEDULE_NAMES as readonly string[]).includes(name);
}

function linspace(a: number, b: number, n: number): number[] {
  if (n === 1) return [a];
  return Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
}

/** ComfyUI's ModelSamplingDiscrete: sigma(t) interpolates log-sigma, timestep(sigma) is the nearest index. */
class DiscreteModelSampling {
  private readonly logSigmas: number[];
  constructor(private readonly sigmas: ArrayLike<number>) {
    this.logSigmas = Array.from(sigmas, (s) => Math.log(s));
  }
  get sigmaMin(): number {
    return this.sigmas[0];
  }
  get sigmaMax(): number {
    return this.sigmas[this.sigmas.length - 1];
  }
  timestep(sigma: number): number {
    const ls = Math.log(sigma);
    let best = 0;
    for (let i = 1; i < this.logSigmas.length; i++) {
      if (Math.abs(ls - this.logSigmas[i]) < Math.abs(ls - this.logSigmas[best])) best = i;
    }
    return best;
  }
  sigma(t: number): number {
    const tc = Math.min(Math.max(t, 0), this.logSigmas.length - 1);
    const lo = Math.floor(tc);
    const hi = Math.ceil(tc);
    const w = tc - lo;
    return Math.exp((1 - w) * this.logSigmas[lo] + w * this.logSigmas[hi]);
  }
}

/**
 * @param trainingSigmas ascending sigma per training timestep (sqrt((1 - alpha_bar) / alpha_bar))
 * @returns steps + 1 descending sigmas ending in 0
 */
export function scheduleSigmas(schedule: ScheduleName, trainingSigmas: ArrayLike<number>, steps: number): number[] {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a positive integer, got ${steps}`);
  const ms = new DiscreteModelSampling(trainingSigmas);
  switch (schedule) {
    case 'karras': {
      const minInv = ms.sigmaMin ** (1 / 7);
      const maxInv = ms.sigmaMax ** (1 / 7);
      return [...linspace(0, 1, steps).map((r) => (maxInv + r * (minInv - maxInv)) ** 7), 0];
    }
    case 'exponential':
      return [...linspace(Math.log(ms.sigmaMax), Math.log(ms.sigmaMin), steps).map(Math.exp), 0];
    case 'simple': {
      const n = trainingSigmas.length;
      const stride = n / steps;
      return [...Array.from({ length: steps }, (_, x) => trainingSigmas[n - 1 - Math.floor(x * stride)]), 0];
    }
    case 'normal':
    case 'sgm_uniform': {
      const start = ms.timestep(ms.sigmaMax);
      const end = ms.timestep(ms.sigmaMin);
      if (schedule === 'sgm_uniform') return [...linspace(start, end, steps + 1).slice(0, -1).map((t) => ms.sigma(t)), 0];
      // Zero-terminal-SNR tables already end at ~0: ComfyUI then spends the extra point instead of appending 0.
      if (ms.sigma(end) < 1e-5) return linspace(start, end, steps + 1).map((t) => ms.sigma(t));
      return [...linspace(start, end, steps).map((t) => ms.sigma(t)), 0];
    }
  }
}
