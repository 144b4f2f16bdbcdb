'use client';
// The workers as they report themselves (state, provider/device, pool, memory, warm models) with the runs each ended
// in the window. GPU memory shows only where a worker reports it.
import Link from 'next/link';
import { bytes } from './monitor-format';
import type { Summary } from './summary-type';
import { workerRows } from './worker-rows';

export function WorkersTable({ s }: { s: Summary }) {
  const rows = workerRows(s.workers, s.workerRuns);
  return (
    <section className="monitor-panel">
      <h3>Workers</h3>
      {rows.length === 0 ? <p className="muted">No worker is connected.</p> : (
        <table className="runs compact" data-testid="workers-table">
          <thead>
            <tr>
              <th>Worker</th><th>State</th><th>Provider</th><th>Pool</th><th className="num">RSS</th><th className="num">ONNX sessions</th>
              <th className="num">GPU</th><th>Warm models</th><th className="num">Runs (failed)</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((w) => (
              <tr key={w.id} data-testid="worker-row" data-worker-id={w.id} data-state={w.state}>
                <td>{w.name ? <>{w.name} <span className="muted">{w.id}</span></> : w.id}</td>
                <td className={`worker-state worker-state-${w.state}`}>
                  {w.state}{w.runId ? <> · <Link href={`/runs?run=${encodeURIComponent(w.runId)}`}>run</Link></> : null}
                </td>
                <td>{w.provider ?? '—'}{w.device !== null ? <span className="muted"> #{w.device}</span> : null}</td>
                <td>{w.pool ?? '—'}</td>
                <td className="num">{bytes(w.rss)}</td>
                <td className="num">{bytes(w.onnxSessions)}</td>
                <td className="num">{bytes(w.gpu)}</td>
                <td>{w.warm.length ? w.warm.map((k) => <code key={k}>{k}</code>) : '—'}{w.modelLoads !== null ? <span className="muted"> · {w.modelLoads} loads</span> : null}</td>
                <td className="num" data-testid="worker-runs">{w.runs}{w.failed ? <span className="error"> ({w.failed})</span> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
