// The arithmetic of the monitoring numbers: nearest-rank percentiles and a mean with its 95 % confidence interval.

/** Nearest-rank percentile of ascending `sorted` (p in 0..100); null for no data. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface Percentiles { p50: number | null; p90: number | null; p99: number | null }

/** P50/P90/P99 of any order of values (sorted here, on a copy). */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99) };
}

/** Mean, count and the half-width of its 95 % confidence interval (normal approximation; null below 2 scores). */
export function meanWithCi(scores: readonly number[]): { mean: number | null; count: number; ci95: number | null } {
  const n = scores.length;
  if (!n) return { mean: null, count: 0, ci95: null };
  const mean = scores.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, count: n, ci95: null };
  const variance = scores.reduce((a, s) => a + (s - mean) ** 2, 0) / (n - 1);
  return { mean, count: n, ci95: 1.96 * Math.sqrt(variance / n) };
}

/** Groups values under a key, keeping the first-seen label of each group. */
export function groupBy<T, L>(items: readonly T[], key: (t: T) => string, label: (t: T) => L): Map<string, { label: L; items: T[] }> {
  const groups = new Map<string, { label: L; items: T[] }>();
  for (const t of items) {
    const k = key(t);
    const g = groups.get(k);
    if (g) g.items.push(t);
    else groups.set(k, { label: label(t), items: [t] });
  }
  return groups;
}
