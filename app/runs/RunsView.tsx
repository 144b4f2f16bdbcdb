'use client';
// Run history: status, duration, thumbnail (with my 1–5 rating) and workflow of every run, filterable by workflow;
// cancel a waiting or running run, or clear every waiting one at once (a batch queued by mistake). A run named in
// the address (?run=<id>) is shown above the list.
import { useState } from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { duration, timeAgo } from '../lib/time-format';
import { RateImage } from '../shell/RateImage';
import { TopNav } from '../shell/TopNav';
import { WorkflowFilter } from '../shell/WorkflowFilter';
import { useToast } from '../shell/toast';
import { RunDetail } from './RunDetail';

const ACTIVE = new Set(['queued', 'running', 'paused']);

export function RunsView({ initialWorkflowId, openRunId }: { initialWorkflowId?: string; openRunId?: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [workflowId, setWorkflowId] = useState(initialWorkflowId ?? '');
  const runs = useInfiniteQuery(trpc.runs.list.infiniteQueryOptions(
    { workflowId: workflowId || undefined, limit: 25 },
    {
      getNextPageParam: (last) => last.nextCursor ?? undefined,
      // Keep active runs moving without a socket subscription per row.
      refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some((r) => ACTIVE.has(r.status))) ? 2000 : false),
    },
  ));
  const items = runs.data?.pages.flatMap((p) => p.items) ?? [];
  const queryClient = useQueryClient();
  const notify = useToast();
  const refresh = () => queryClient.invalidateQueries(trpc.runs.list.infiniteQueryFilter());
  const cancel = useMutation(trpc.runs.cancel.mutationOptions({
    onSuccess: () => void refresh(),
    onError: (e) => notify(`Cancel failed: ${e.message}`, 'error'),
  }));
  const clear = useMutation(trpc.runs.cancelQueued.mutationOptions({
    onSuccess: (r) => { void refresh(); notify(`${r.cancelled} waiting run(s) cancelled`, 'success'); },
    onError: (e) => notify(`Clearing the queue failed: ${e.message}`, 'error'),
  }));
  const waiting = items.filter((r) => r.status === 'queued').length;

  return (
    <div className="page">
      <TopNav />
      <main className="page-body">
        <div className="runs-filter">
          <h2>Runs</h2>
          <WorkflowFilter value={workflowId} onChange={setWorkflowId} />
          {waiting > 0 && (
            <button type="button" className="danger" disabled={clear.isPending} onClick={() => clear.mutate({ workflowId: workflowId || undefined })}>
              Cancel {waiting} waiting
            </button>
          )}
        </div>
        {openRunId && <RunDetail runId={openRunId} onClose={() => router.replace(workflowId ? `/runs?workflow=${encodeURIComponent(workflowId)}` : '/runs')} />}
        {runs.error && <p className="error" role="alert">Could not load runs: {runs.error.message}</p>}
        {!runs.isLoading && items.length === 0 && <p className="muted">No runs yet.</p>}
        <table className="runs" data-testid="runs-table">
          <thead>
            <tr><th>Output</th><th>Workflow</th><th>Status</th><th>Queued</th><th>Duration</th><th>Error</th><th /></tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id} data-testid="run-row" data-run-id={r.id} data-status={r.status}>
                <td>
                  {r.thumbnailUrl ? <a href={r.thumbnailUrl} target="_blank" rel="noreferrer"><img src={r.thumbnailUrl} alt="output" /></a> : <span className="muted">—</span>}
                  {r.outputId && <RateImage runId={r.id} artifactId={r.outputId} value={r.myRating} />}
                </td>
                <td>
                  {r.workflowId ? <Link href={`/w/${r.workflowId}`}>{r.workflowName ?? r.workflowId}</Link> : <span className="muted">ad-hoc graph</span>}
                  {r.workflowVersion ? <span className="muted"> v{r.workflowVersion}</span> : null}
                </td>
                <td className={`run-status run-status-${r.status}`}>
                  {r.status}{r.status === 'queued' && r.position ? ` (#${r.position})` : ''}
                </td>
                <td className="muted" title={new Date(r.queuedAt).toLocaleString()}>{timeAgo(r.queuedAt)}</td>
                <td>{duration(r.totalMs ?? (r.startedAt && r.finishedAt ? new Date(r.finishedAt).getTime() - new Date(r.startedAt).getTime() : null))}</td>
                <td className="error">{r.status === 'failed' || r.status === 'interrupted' ? r.error?.message : ''}</td>
                <td>
                  <Link href={`/runs?run=${encodeURIComponent(r.id)}${workflowId ? `&workflow=${encodeURIComponent(workflowId)}` : ''}`} data-testid="run-open" title="This run's details and its samplers' steps (timeline)">
                    Details
                  </Link>
                  {ACTIVE.has(r.status) && (
                    <button type="button" onClick={() => cancel.mutate({ runId: r.id })} disabled={cancel.isPending} data-testid="run-cancel">Cancel</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {runs.hasNextPage && (
          <button type="button" onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>Load more</button>
        )}
      </main>
    </div>
  );
}
