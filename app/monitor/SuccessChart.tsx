'use client';
// Success rate per bucket (line, left axis) and failed runs (bars, right axis); the failure codes of the window below.
import { useMemo } from 'react';
import { percent } from './monitor-format';
import type { Summary } from './summary-type';
import { countFormat, TimeChart, type ChartSeries } from './TimeChart';

export function SuccessChart({ s }: { s: Summary }) {
  const { times, series } = useMemo(() => ({
    times: s.series.map((b) => b.start),
    series: [
      { label: 'failed', values: s.series.map((b) => b.failed), color: '#e5534b', unit: 'runs', format: countFormat, bars: true },
      { label: 'success', values: s.series.map((b) => (b.runs ? b.succeeded / b.runs : null)), color: '#46b370', unit: '%', format: (v: number) => percent(v), max: 1 },
    ] satisfies ChartSeries[],
  }), [s.series]);
  const codes = Object.entries(s.failuresByCode).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return (
    <section className="monitor-panel" data-testid="success-chart">
      <h3>Success rate <span className="muted">{percent(s.successRate)}</span></h3>
      <TimeChart times={times} series={series} label={`Success rate per bucket, overall ${percent(s.successRate)}`} />
      {codes.length > 0 && (
        <table className="runs compact" data-testid="failure-codes">
          <thead><tr><th>Failure code</th><th className="num">Runs</th></tr></thead>
          <tbody>
            {codes.map(([code, n]) => <tr key={code}><td><code>{code}</code></td><td className="num">{n}</td></tr>)}
          </tbody>
        </table>
      )}
    </section>
  );
}
