'use client';
// The headline numbers of the window: runs, success, latency and queue-wait percentiles, MOS, cache hit rates, previews.
import { mos, percent, seconds } from './monitor-format';
import type { Summary } from './summary-type';

function Card({ label, value, detail, testId }: { label: string; value: string; detail?: string; testId: string }) {
  return (
    <div className="stat-card" data-testid={testId}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {detail && <div className="stat-detail muted">{detail}</div>}
    </div>
  );
}

export function SummaryCards({ s }: { s: Summary }) {
  const { node, prompt } = s.cache;
  return (
    <div className="stat-cards">
      <Card testId="stat-runs" label="Runs ended" value={String(s.runs)} detail={`${s.runs - Object.values(s.failuresByCode).reduce((a, b) => a + b, 0)} succeeded`} />
      <Card testId="stat-success" label="Success rate" value={percent(s.successRate)} />
      <Card testId="stat-latency" label="Latency P50 / P90 / P99" value={seconds(s.latency.p50)} detail={`${seconds(s.latency.p90)} / ${seconds(s.latency.p99)}`} />
      <Card testId="stat-queue" label="Queue wait P50 / P90 / P99" value={seconds(s.queueWait.p50)} detail={`${seconds(s.queueWait.p90)} / ${seconds(s.queueWait.p99)} · ${s.queueWait.runs} started`} />
      <Card testId="stat-mos" label="MOS" value={mos(s.mos.mean, null)} detail={`n=${s.mos.count}`} />
      <Card testId="stat-node-cache" label="Node cache hits" value={percent(node.hitRate)} detail={`${node.hits} hits · ${node.misses} misses`} />
      <Card testId="stat-prompt-cache" label="Prompt cache hits" value={percent(prompt.hitRate)} detail={`${prompt.hits} hits · ${prompt.misses} misses`} />
      <Card
        testId="stat-previews" label="Previews sent / dropped"
        value={s.previews ? `${s.previews.sent} / ${s.previews.dropped}` : '—'} detail="this web server, since it started"
      />
    </div>
  );
}
