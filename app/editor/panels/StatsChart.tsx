'use client';
// A small inline SVG line chart per latent channel: mean with a ±std band, over the steps so far.
import type { StepSample } from '../run/step-log';

const W = 120;
const H = 40;

export function StatsChart({ samples, channel, marker }: { samples: StepSample[]; channel: number; marker?: number }) {
  const pts = samples.filter((s) => s.stats[channel]).sort((a, b) => a.step - b.step);
  if (!pts.length) return null;
  const lo = Math.min(...pts.map((s) => s.stats[channel].mean - s.stats[channel].std));
  const hi = Math.max(...pts.map((s) => s.stats[channel].mean + s.stats[channel].std));
  const total = Math.max(1, pts[0].total - 1);
  const x = (step: number) => (W * step) / total;
  const y = (v: number) => (hi === lo ? H / 2 : H - (H * (v - lo)) / (hi - lo));
  const line = (f: (s: StepSample) => number) => pts.map((s) => `${x(s.step).toFixed(1)},${y(f(s)).toFixed(1)}`).join(' ');
  const last = pts[pts.length - 1].stats[channel];
  return (
    <figure className="stats-chart" data-testid="stats-chart" data-channel={channel}>
      <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`channel ${channel} mean over ${pts.length} steps`}>
        <polyline points={line((s) => s.stats[channel].mean + s.stats[channel].std)} fill="none" stroke="#557" strokeWidth={1} />
        <polyline points={line((s) => s.stats[channel].mean - s.stats[channel].std)} fill="none" stroke="#557" strokeWidth={1} />
        <polyline points={line((s) => s.stats[channel].mean)} fill="none" stroke="#8cf" strokeWidth={1.5} />
        {marker !== undefined && <line x1={x(marker)} x2={x(marker)} y1={0} y2={H} stroke="#fc6" strokeWidth={1} />}
      </svg>
      <figcaption>ch{channel} μ {last.mean.toFixed(2)} σ {last.std.toFixed(2)} [{last.min.toFixed(1)}, {last.max.toFixed(1)}]</figcaption>
    </figure>
  );
}
