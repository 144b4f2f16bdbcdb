// Inference timestep spacing and sigma-table math, reproducing the numpy expressions diffusers uses
// (np.linspace / np.arange / banker's np.round / np.interp / _sigma_to_t / Karras sigmas).

export const TIMESTEP_SPACINGS = ['linspace', 'leading', 'trailing'] as const;
export type TimestepSpacing = (typeof TIMESTEP_SPACINGS)[number];

const f = Math.fround;

/** np.linspace(start, stop, num) in float64. */
export function npLinspace(start: number, stop: number, num: number, endpoint = true): number[] {
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(i * step + start);
  if (endpoint && num > 1) out[num - 1] = stop;
  return out;
}

/** np.arange(start, stop, step) with a float step. */
export function npArange(start: number, stop: number, step: number): number[] {
  const len = Math.max(0, Math.ceil((stop - start) / step));
  const delta = start + step - start;
  const out: number[] = [];
  for (let i = 0; i < len; i++) out.push(start + i * delta);
  return out;
}

/** np.round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const fl = Math.floor(x);
  const d = x - fl;
  if (d > 0.5) return fl + 1;
  if (d < 0.5) return fl;
  return fl % 2 === 0 ? fl : fl + 1;
}

/** DDIM / DDPM / LCM-style integer timesteps for n inference steps (descending). */
export function discreteTimesteps(spacing: TimestepSpacing, T: number, n: number, stepsOffset: number): number[] {
  if (spacing === 'linspace') return npLinspace(0, T - 1, n).map(roundHalfEven).reverse();
  if (spacing === 'leading') {
    const ratio = Math.floor(T / n);
    return Array.from({ length: n }, (_, i) => i * ratio + stepsOffset).reverse();
  }
  return npArange(T, 0, -T / n).map((t) => roundHalfEven(t) - 1);
}

/** Euler/Heun/LMS-style float32 timesteps (linspace is not rounded). */
export function sigmaTimesteps(spacing: TimestepSpacing, T: number, n: number, stepsOffset: number): number[] {
  if (spacing === 'linspace') return npLinspace(0, T - 1, n).map(f).reverse();
  return discreteTimesteps(spacing, T, n, stepsOffset);
}

/** DPM-Solver / UniPC: n + 1 points with the last dropped, so the final step lands near t = 0. */
export function multistepTimesteps(spacing: TimestepSpacing, T: number, n: number, stepsOffset: number, lastTimestep = T): number[] {
  if (spacing === 'linspace') return npLinspace(0, lastTimestep - 1, n + 1).map(roundHalfEven).reverse().slice(0, n);
  if (spacing === 'leading') {
    const ratio = Math.floor(lastTimestep / (n + 1));
    return Array.from({ length: n + 1 }, (_, i) => i * ratio).reverse().slice(0, n).map((t) => t + stepsOffset);
  }
  return npArange(lastTimestep, 0, -T / n).map((t) => roundHalfEven(t) - 1);
}

/** np.interp(x, arange(len(fp)), fp). */
export function interpTable(x: number, fp: ArrayLike<number>): number {
  const last = fp.length - 1;
  if (x <= 0) return fp[0];
  if (x >= last) return fp[last];
  const j = Math.floor(x);
  if (x === j) return fp[j];
  return (fp[j + 1] - fp[j]) * (x - j) + fp[j];
}

/** diffusers' _sigma_to_t: fractional training timestep of a sigma by log-sigma interpolation. */
export function sigmaToT(sigma: number, logSigmas: ArrayLike<number>): number {
  const logSigma = Math.log(Math.max(sigma, 1e-10));
  let low = 0;
  for (let i = 0; i < logSigmas.length; i++) if (logSigma - logSigmas[i] >= 0) low = i;
  low = Math.min(low, logSigmas.length - 2);
  const lo = logSigmas[low];
  const hi = logSigmas[low + 1];
  const w = Math.min(1, Math.max(0, (lo - logSigma) / (lo - hi)));
  return (1 - w) * low + w * (low + 1);
}

/** Karras et al. (2022) rho = 7 sigmas from sigmaMax down to sigmaMin (n values). */
export function karrasSigmas(sigmaMin: number, sigmaMax: number, n: number, rho = 7): number[] {
  const minInv = sigmaMin ** (1 / rho);
  const maxInv = sigmaMax ** (1 / rho);
  return npLinspace(0, 1, n).map((r) => (maxInv + r * (minInv - maxInv)) ** rho);
}

/** Sigmas evenly spaced in log space from sigmaMax down to sigmaMin (n values). */
export function exponentialSigmas(sigmaMin: number, sigmaMax: number, n: number): number[] {
  return npLinspace(Math.log(sigmaMax), Math.log(sigmaMin), n).map(Math.exp);
}

/** Lu et al. (DPM-Solver++) uniform-lambda steps: lambdas linear between the ends (n values). */
export function luLambdas(lambdaMin: number, lambdaMax: number, n: number): number[] {
  return npLinspace(0, 1, n).map((r) => lambdaMax + r * (lambdaMin - lambdaMax));
}

/** np.log of a float32 table stays float32. */
export function logTableF32(table: ArrayLike<number>): Float32Array {
  return Float32Array.from(table, (v) => f(Math.log(v)));
}
