'use client';
// Run latency over the window: P50/P90/P99 per bucket (left axis) and the runs that ended in it (bars, right axis).
import { useMemo } from 'react';
import { seconds } from './monitor-format';
import type { Summary } from './summary-type';
import { countFormat, TimeChart, type ChartSeries } from './TimeChart';

export function LatencyChart({ s }: { s: Summary }) {
  const { times, series } = useMemo(() => ({
    times: s.series.map((b) => b.start),
    series: [
      { label: 'runs', values: s.series.map((b) => b.runs), color: '#5b8def', unit: 'runs', format: countFormat, bars: true },
      { label: 'P50', values: s.series.map((b) => b.p50), color: '#46b370', unit: 's', format: seconds },
      { label: 'P90', values: s.series.map((b) => b.p90), color: '#e0a030', unit: 's', format: seconds },
      { label: 'P99', values: s.series.map((b) => b.p99), color: '#e5534b', unit: 's', format: seconds },
    ] satisfies ChartSeries[],
  }), [s.series]);
  const total = s.series.reduce((a, b) => a + b.runs, 0);
  return (
    <section className="monitor-panel" data-testid="latency-chart" data-runs={total}>
      <h3>Run latency <span className="muted">({total} runs, {Math.round(s.bucketMs / 60_000)} min buckets)</span></h3>
      <TimeChart times={times} series={series} label={`Run latency P50, P90 and P99 over ${total} runs`} />
    </section>
  );
}
