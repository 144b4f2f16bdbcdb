'use client';
// /monitor for operators (admins with AUTH=local; everyone with AUTH=none, as monitor.summary allows): the window's
// numbers, latency and success over time, failures, workers, caches, MOS and the lowest-rated images. Re-read every 10 s.
import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { TopNav } from '../shell/TopNav';
import { LatencyChart } from './LatencyChart';
import { NodeLatencyTable, WorkflowLatencyTable } from './LatencyTable';
import { LowRatedImages } from './LowRatedImages';
import { MosTables } from './MosTables';
import { RecentFailures } from './RecentFailures';
import { SuccessChart } from './SuccessChart';
import { SummaryCards } from './SummaryCards';
import type { MonitorWindow } from './summary-type';
import { WindowPicker } from './WindowPicker';
import { WorkersTable } from './WorkersTable';
import './monitor.css';

const REFRESH_MS = 10_000;

export function MonitorView() {
  const trpc = useTRPC();
  const [span, setSpan] = useState<MonitorWindow>('24h');
  const me = useQuery(trpc.auth.me.queryOptions());
  const allowed = me.data ? me.data.auth === 'none' || Boolean(me.data.user?.isAdmin) : undefined;
  const summary = useQuery(trpc.monitor.summary.queryOptions({ window: span }, {
    enabled: allowed === true, refetchInterval: REFRESH_MS, placeholderData: keepPreviousData,
  }));
  const s = summary.data;
  return (
    <div className="page">
      <TopNav />
      <main className="page-body monitor">
        <div className="monitor-head">
          <h2>Monitor</h2>
          {allowed && <WindowPicker value={span} onChange={setSpan} />}
          {s && (
            <span className="muted" data-testid="monitor-updated">
              since {new Date(s.since).toLocaleString()} · updated {new Date(summary.dataUpdatedAt).toLocaleTimeString()} · refreshes every {REFRESH_MS / 1000} s
            </span>
          )}
        </div>
        {allowed === false && (
          <p className="error" role="alert">
            {me.data?.user ? 'Only admins see the monitoring.' : 'Sign in as an admin to see the monitoring.'}
          </p>
        )}
        {summary.error && <p className="error" role="alert">Could not load the monitoring: {summary.error.message}</p>}
        {allowed && !s && !summary.error && <p className="muted">Loading…</p>}
        {s && (
          <div data-testid="monitor" data-window={s.window}>
            <SummaryCards s={s} />
            <div className="monitor-grid">
              <LatencyChart s={s} />
              <SuccessChart s={s} />
              <WorkflowLatencyTable s={s} />
              <NodeLatencyTable s={s} />
              <RecentFailures s={s} />
              <MosTables s={s} />
            </div>
            <WorkersTable s={s} />
            <LowRatedImages s={s} />
          </div>
        )}
      </main>
    </div>
  );
}
