'use client';
// The latest failed runs of the window, each opening its run on the runs page.
import Link from 'next/link';
import { timeAgo } from '../lib/time-format';
import type { Summary } from './summary-type';

export function RecentFailures({ s }: { s: Summary }) {
  return (
    <section className="monitor-panel">
      <h3>Latest failures</h3>
      {s.recentFailures.length === 0 ? <p className="muted">No failed runs in this window.</p> : (
        <table className="runs compact" data-testid="recent-failures">
          <thead><tr><th>When</th><th>Workflow</th><th>Code</th><th>Message</th></tr></thead>
          <tbody>
            {s.recentFailures.map((f) => (
              <tr key={f.runId} data-run-id={f.runId}>
                <td title={new Date(f.at).toLocaleString()}><Link href={`/runs?run=${encodeURIComponent(f.runId)}`}>{timeAgo(f.at)}</Link></td>
                <td>{f.name ?? <span className="muted">ad-hoc graph</span>}</td>
                <td><code>{f.code}</code>{f.nodeId ? <span className="muted"> @ {f.nodeId}</span> : null}</td>
                <td className="error">{f.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
