'use client';
// A uPlot line/bar chart over the summary's time buckets. uPlot draws on a canvas and touches `window` when it
// loads, so it is imported in the effect (browser only); the figure keeps its size while it loads.
import { useEffect, useRef } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  /** Which y scale (and axis): series sharing a unit share one; the second unit gets the right-hand axis. */
  unit: string;
  format(v: number): string;
  bars?: boolean;
  /** Top of its scale (e.g. 1 for a rate); default a tenth above the largest value. */
  max?: number;
}

/** Axis ticks of a count: whole numbers only (uPlot may put ticks at 0.5). */
export function countFormat(v: number): string {
  return Number.isInteger(v) ? String(v) : '';
}

interface Props {
  /** Bucket starts, ISO. */
  times: string[];
  series: ChartSeries[];
  label: string;
  height?: number;
  testId?: string;
}

const AXIS = { stroke: '#8d93a3', grid: { stroke: '#343845', width: 1 }, ticks: { stroke: '#343845', width: 1 } };

function options(width: number, height: number, series: ChartSeries[], bars: uPlot.Series.PathBuilder | undefined, bucketSeconds: number): uPlot.Options {
  // Lines own the left axis; bars (counts) the right one.
  const units = [...new Set([...series.filter((s) => !s.bars), ...series.filter((s) => s.bars)].map((s) => s.unit))];
  const top = (u: string, max: number) => series.find((s) => s.unit === u && s.max !== undefined)?.max ?? (max > 0 ? max * 1.1 : 1);
  return {
    width, height,
    scales: {
      // Half a bucket of room at both ends, so the first and last bars are whole.
      x: { time: true, range: (_u: uPlot, min: number, max: number) => [min - bucketSeconds / 2, max + bucketSeconds / 2] as uPlot.Range.MinMax },
      ...Object.fromEntries(units.map((u) => [u, { auto: true, range: (_u: uPlot, _min: number, max: number) => [0, top(u, max)] as uPlot.Range.MinMax }])),
    },
    series: [
      {},
      ...series.map((s) => ({
        label: s.label, scale: s.unit, stroke: s.color, width: 1.5, spanGaps: false,
        fill: s.bars ? `${s.color}88` : undefined, paths: s.bars ? bars : undefined, points: { show: !s.bars, size: 4 },
        value: (_u: uPlot, v: number | null) => (v == null ? '—' : s.format(v)),
      })),
    ],
    axes: [
      AXIS,
      ...units.map((u, i) => {
        const fmt = series.find((s) => s.unit === u)!.format;
        return { ...AXIS, scale: u, side: i === 0 ? 3 : 1, size: 64, grid: { ...AXIS.grid, show: i === 0 }, values: (_u: uPlot, splits: number[]) => splits.map(fmt) };
      }),
    ],
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
  };
}

export function TimeChart({ times, series, label, height = 180, testId }: Props) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let plot: uPlot | undefined;
    let gone = false;
    let observer: ResizeObserver | undefined;
    void import('uplot').then(({ default: UPlot }) => {
      if (gone) return;
      const xs = times.map((t) => new Date(t).getTime() / 1000);
      const data: uPlot.AlignedData = [xs, ...series.map((s) => s.values)];
      const bars = UPlot.paths.bars?.({ size: [0.6, 40] });
      plot = new UPlot(options(el.clientWidth || 600, height, series, bars, xs.length > 1 ? xs[1] - xs[0] : 60), data, el);
      observer = new ResizeObserver(() => plot?.setSize({ width: el.clientWidth, height }));
      observer.observe(el);
    });
    return () => {
      gone = true;
      observer?.disconnect();
      plot?.destroy();
    };
  }, [times, series, height]);
  return <figure className="time-chart" ref={box} role="img" aria-label={label} data-testid={testId} style={{ minHeight: height + 40 }} />;
}
