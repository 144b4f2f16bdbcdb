// Dynamic thresholding of x0 (Imagen, arXiv 2205.11487) as diffusers' _threshold_sample does it.

const f = Math.fround;

/** torch.quantile with linear interpolation over one row. */
function quantile(sorted: Float32Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Per batch item: s = clamp(quantile(|x0|, ratio), 1, maxValue); x0 = clamp(x0, -s, s) / s.
 * `batch` splits the flat sample into that many equal rows (NCHW batch items).
 */
export function thresholdSample(x0: Float32Array, batch: number, ratio: number, maxValue: number): Float32Array {
  const out = new Float32Array(x0.length);
  const per = x0.length / batch;
  for (let b = 0; b < batch; b++) {
    const row = x0.subarray(b * per, (b + 1) * per);
    const sorted = Float32Array.from(row, Math.abs).sort();
    const s = f(Math.min(maxValue, Math.max(1, f(quantile(sorted, ratio)))));
    for (let i = 0; i < per; i++) out[b * per + i] = f(Math.min(s, Math.max(-s, row[i])) / s);
  }
  return out;
}
