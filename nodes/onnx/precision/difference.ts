// How far a reduced-precision model's output is from the float32 model's: the largest absolute difference
// and PSNR. Images use a peak of 1 (pixels in [0, 1]); unbounded outputs (noise predictions, hidden states)
// use the reference's largest magnitude, so the figure reads as "dB below the signal's peak".

export interface OutputDifference {
  maxAbs: number;
  /** 10·log10(peak² / mean squared error); Infinity when the outputs are identical. */
  psnr: number;
  /** Share of values that differ by more than `tolerance` (when one is given). */
  overTolerance?: number;
}

export function outputDifference(reference: ArrayLike<number>, other: ArrayLike<number>, opts: { peak?: number; tolerance?: number } = {}): OutputDifference {
  if (reference.length !== other.length) throw new RangeError(`outputs differ in size: ${reference.length} vs ${other.length} values`);
  let maxAbs = 0, sq = 0, over = 0, peak = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = Math.abs(reference[i] - other[i]);
    if (!(d <= maxAbs)) maxAbs = d; // NaN propagates: a NaN output is never "close"
    sq += d * d;
    if (opts.tolerance !== undefined && !(d <= opts.tolerance)) over++;
    peak = Math.max(peak, Math.abs(reference[i]));
  }
  const p = opts.peak ?? peak;
  const mse = sq / reference.length;
  const out: OutputDifference = { maxAbs, psnr: mse === 0 ? Infinity : 10 * Math.log10((p * p) / mse) };
  if (opts.tolerance !== undefined) out.overTolerance = over / reference.length;
  return out;
}
