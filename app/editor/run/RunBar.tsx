'use client';
// Run controls and the shown run's state: status, queue position, overall progress, elapsed time; the last
// Run ×N press's state ("run 2 of 3 · 1 queued") with Stop batch / Clear queue, and the from-cache notice.
import { useEffect, useState } from 'react';
import { batchActive, describeBatch, type BatchView } from './batch-state';
import { isActive, type RunView } from './run-state';
import type { CacheNotice } from './seed-advance';

export function RunBar({ view, onRun, onDebugRun, onStop, onPause, busy, count, onCount, batch, onStopBatch, onClearQueue, notice, live, onLive }: {
  view: RunView; onRun(): void; onStop(): void; onPause(): void; busy: boolean;
  /** Run with the debugger: one run that stops at the breakpoints (Run ignores them). */
  onDebugRun(): void;
  /** Batch count: how many runs one press queues. */
  count: number; onCount(n: number): void;
  /** The last press's runs (batch-state.ts); Stop batch and Clear queue show while some of them wait or run. */
  batch: BatchView | null; onStopBatch(): void; onClearQueue(): void;
  /** Why the next run would come from cache (seed-advance.ts cacheNotice), or null. */
  notice: CacheNotice | null;
  /** Live mode (useLiveMode.ts): every edit runs the graph. */
  live: boolean; onLive(on: boolean): void;
}) {
  const active = isActive(view.status);
  const batchText = describeBatch(batch);
  const batchGoing = batchText !== null && batchActive(batch);
  const waiting = view.status === 'queued' || (batch !== null && batch.runIds.some((id) => batch.status[id] === 'queued'));
  return (
    <div className="run-bar">
      <button type="button" className="primary" onClick={onRun} disabled={busy} title="Run the workflow, past any breakpoints (Ctrl+Enter)">
        {count > 1 ? `Run ×${count}` : 'Run'}
      </button>
      <input
        type="number" className="batch-count" min={1} max={100} step={1} value={count} aria-label="Batch count"
        title="Batch count: runs queued per press; seeds set to random or increment change from run to run"
        onChange={(e) => {
          const n = Math.round(Number(e.target.value));
          if (Number.isFinite(n)) onCount(Math.min(100, Math.max(1, n)));
        }}
      />
      <button
        type="button" className="debug-run" onClick={onDebugRun} disabled={busy}
        title="Run with debugger (Ctrl+Shift+Enter): one run that stops at the breakpoints set from a node's right-click menu"
      >Debug</button>
      <button
        type="button" className={live ? 'toggle on' : 'toggle'} aria-pressed={live} onClick={() => onLive(!live)} data-testid="live-toggle"
        title="Live: every edit (a prompt, a slider, a seed) runs the graph again; seeds stay as shown"
      >Live</button>
      <button type="button" onClick={onPause} disabled={view.status !== 'running'} title="Pause before the next sampler step, then Step or Resume (F8)">
        Pause
      </button>
      <button type="button" onClick={onStop} disabled={!active} title="Stop this run (the one shown); the batch's others go on">Stop</button>
      {batchGoing && (
        <button type="button" className="danger" onClick={onStopBatch} title="Cancel every waiting and running run of this Run ×N">Stop batch</button>
      )}
      {waiting && (
        <button type="button" onClick={onClearQueue} title="Cancel all my waiting runs of this workflow; running ones go on">Clear queue</button>
      )}
      {(batchText || notice) && (
        <div className="run-bar-sub">
          {batchText && <span data-testid="batch-state">{batchText}</span>}
          {notice && <span className="run-notice" role="status" data-testid="cache-notice" title={notice.hint}>⚠ {notice.text}</span>}
        </div>
      )}
      <span
        className={`run-status run-status-${view.status}`} data-testid="run-status" data-run-id={view.runId ?? ''}
        data-cancel-step={view.cancel?.step} data-steps-after-cancel={view.cancel?.stepsAfterCancel}
      >{view.status}</span>
      {view.status === 'cancelled' && view.cancel?.step !== undefined && <StoppedAt view={view} />}
      {view.status === 'queued' && view.position !== undefined && (
        <span className="muted" data-testid="queue-position">#{view.position} in queue</span>
      )}
      {(active || view.finishedAt !== undefined) && <Progress view={view} />}
      <Elapsed view={view} />
    </div>
  );
}

function Progress({ view }: { view: RunView }) {
  const nodes = Object.values(view.nodes);
  if (!nodes.length) return null;
  // Each node counts as one unit; a node with steps contributes its fraction.
  const done = nodes.reduce((sum, n) => {
    if (n.status === 'done' || n.status === 'cached' || n.status === 'failed' || n.status === 'cancelled') return sum + 1;
    if (n.status === 'running' && n.total) return sum + (n.step ?? 0) / n.total;
    return sum;
  }, 0);
  const pct = Math.round((100 * done) / nodes.length);
  return (
    <span className="run-progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} title={`${pct}%`}>
      <span style={{ width: `${pct}%` }} />
    </span>
  );
}

/** The worker's own count: previews and progress shown here may trail it by many fast steps. */
function StoppedAt({ view }: { view: RunView }) {
  const c = view.cancel!;
  const total = c.nodeId ? view.nodes[c.nodeId]?.total : undefined;
  const after = c.stepsAfterCancel === undefined ? '' : `; ${c.stepsAfterCancel} step(s) ran after Stop reached the worker`;
  return (
    <span className="muted" data-testid="run-stopped-at" title={`${c.reason}${c.nodeId ? ` (node ${c.nodeId})` : ''}${after}`}>
      stopped at step {c.step}{total ? ` of ${total}` : ''}
    </span>
  );
}

function Elapsed({ view }: { view: RunView }) {
  const [now, setNow] = useState(() => Date.now());
  const active = isActive(view.status);
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(t);
  }, [active]);
  if (view.totalMs !== undefined && !active) return <span className="muted" data-testid="run-elapsed">{formatSeconds(view.totalMs)}</span>;
  const start = view.startedAt ?? view.queuedAt;
  if (start === undefined) return null;
  const end = view.finishedAt ?? now;
  return <span className="muted" data-testid="run-elapsed">{formatSeconds(Math.max(0, end - start))}</span>;
}

export function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
