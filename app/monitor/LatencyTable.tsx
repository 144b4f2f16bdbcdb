'use client';
// Latency per workflow (busiest first) and per node type (slowest P90 first; cache hits counted apart).
import Link from 'next/link';
import { millis, percent, seconds } from './monitor-format';
import type { Summary } from './summary-type';

export function WorkflowLatencyTable({ s }: { s: Summary }) {
  return (
    <section className="monitor-panel">
      <h3>Latency by workflow</h3>
      {s.latencyByWorkflow.length === 0 ? <p className="muted">No runs ended in this window.</p> : (
        <table className="runs compact" data-testid="latency-table">
          <thead><tr><th>Workflow</th><th className="num">Runs</th><th className="num">Success</th><th className="num">P50</th><th className="num">P90</th><th className="num">P99</th></tr></thead>
          <tbody>
            {s.latencyByWorkflow.map((w) => (
              <tr key={w.workflowId ?? ''} data-testid="latency-row" data-workflow-id={w.workflowId ?? ''} data-runs={w.runs}>
                <td>{w.workflowId ? <Link href={`/runs?workflow=${encodeURIComponent(w.workflowId)}`}>{w.name}</Link> : <span className="muted">{w.name}</span>}</td>
                <td className="num">{w.runs}</td>
                <td className="num">{percent(w.succeeded / w.runs)}</td>
                <td className="num">{seconds(w.p50)}</td>
                <td className="num">{seconds(w.p90)}</td>
                <td className="num">{seconds(w.p99)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function NodeLatencyTable({ s }: { s: Summary }) {
  return (
    <section className="monitor-panel">
      <h3>Latency by node type</h3>
      {s.nodeLatency.length === 0 ? <p className="muted">No node results in this window.</p> : (
        <table className="runs compact" data-testid="node-latency-table">
          <thead><tr><th>Node type</th><th className="num">Executed</th><th className="num">Cached</th><th className="num">P50</th><th className="num">P90</th></tr></thead>
          <tbody>
            {s.nodeLatency.map((n) => (
              <tr key={n.type} data-node-type={n.type}>
                <td><code>{n.type}</code></td>
                <td className="num">{n.runs}</td>
                <td className="num">{n.cached}</td>
                <td className="num">{millis(n.p50)}</td>
                <td className="num">{millis(n.p90)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
