// How /monitor writes its numbers (pure, tested): seconds, milliseconds, percentages, bytes, MOS with its interval.

const DASH = '—';

/** 0.042 → "42 ms", 3.25 → "3.25 s", 95 → "1 min 35 s". */
export function seconds(s: number | null | undefined): string {
  if (s == null) return DASH;
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function millis(ms: number | null | undefined): string {
  return ms == null ? DASH : seconds(ms / 1000);
}

/** 0..1 → "97.5 %" (one decimal below 100). */
export function percent(rate: number | null | undefined): string {
  if (rate == null) return DASH;
  const p = rate * 100;
  return p === 100 || p === 0 ? `${p} %` : `${p.toFixed(1)} %`;
}

export function bytes(n: number | null | undefined): string {
  if (n == null) return DASH;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** "3.0 ± 1.96" (no interval below two ratings: "5.0"). */
export function mos(mean: number | null, ci95: number | null): string {
  if (mean == null) return DASH;
  return ci95 == null ? mean.toFixed(1) : `${mean.toFixed(1)} ± ${ci95.toFixed(2)}`;
}

/** A bucket's start for the chart's hover and the table: the time of day, or the date too over a week. */
export function bucketLabel(iso: string, window: '1h' | '24h' | '7d'): string {
  const d = new Date(iso);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return window === '7d' ? `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}` : time;
}
