'use client';
// MOS (mean of 1–5 ratings given in the window) per workflow, per workflow version and per checkpoint, with the count
// and the 95 % confidence half-width (none below two ratings).
import { useState } from 'react';
import { mos } from './monitor-format';
import type { Summary } from './summary-type';

type Grouping = 'workflow' | 'version' | 'checkpoint';
interface Row { key: string; label: string; mean: number; count: number; ci95: number | null; workflowId?: string | null; version?: number | null }

function rowsOf(s: Summary, by: Grouping): Row[] {
  if (by === 'workflow') return s.mosByWorkflow.map((m) => ({ ...m, key: m.workflowId ?? '', label: m.name }));
  if (by === 'version') {
    return s.mosByVersion.map((m) => ({ ...m, key: `${m.workflowId ?? ''}@${m.version ?? ''}`, label: `${m.name} ${m.version ? `v${m.version}` : '(unsaved canvas)'}` }));
  }
  return s.mosByCheckpoint.map((m) => ({ ...m, key: m.checkpoint, label: m.checkpoint }));
}

export function MosTables({ s }: { s: Summary }) {
  const [by, setBy] = useState<Grouping>('workflow');
  const rows = rowsOf(s, by);
  return (
    <section className="monitor-panel">
      <h3>MOS <span className="muted">{mos(s.mos.mean, null)} (n={s.mos.count})</span></h3>
      <div className="window-picker" role="group" aria-label="MOS by">
        {(['workflow', 'version', 'checkpoint'] as const).map((g) => (
          <button key={g} type="button" aria-pressed={by === g} className={by === g ? 'primary' : ''} onClick={() => setBy(g)} data-testid={`mos-by-${g}`}>
            by {g}
          </button>
        ))}
      </div>
      {rows.length === 0 ? <p className="muted">No ratings in this window.</p> : (
        <table className="runs compact" data-testid="mos-table" data-grouping={by}>
          <thead><tr><th>{by}</th><th className="num">n</th><th className="num">MOS</th><th className="num">95 % CI</th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key} data-testid="mos-row" data-key={r.key} data-workflow-id={r.workflowId ?? ''}>
                <td>{r.label}</td>
                <td className="num" data-testid="mos-count">{r.count}</td>
                <td className="num" data-testid="mos-mean">{r.mean.toFixed(1)}</td>
                <td className="num">{r.ci95 === null ? '—' : `± ${r.ci95.toFixed(2)}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
