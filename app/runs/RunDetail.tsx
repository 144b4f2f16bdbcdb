'use client';
// One run opened from a link (/runs?run=<id>, e.g. a failure on /monitor, or a row's Steps link): its workflow, state,
// times, error, output images, each with my rating, and its samplers' stored steps (RunTimeline).
import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { duration, timeAgo } from '../lib/time-format';
import { RateImage } from '../shell/RateImage';
import { RunTimeline } from './RunTimeline';
import './runs.css';

export function RunDetail({ runId, onClose }: { runId: string; onClose(): void }) {
  const trpc = useTRPC();
  const run = useQuery(trpc.runs.get.queryOptions({ runId }));
  const ratings = useQuery(trpc.runs.ratings.queryOptions({ runId }));
  if (run.error) return <p className="error" role="alert">Could not load run {runId}: {run.error.message}</p>;
  if (!run.data) return <p className="muted">Loading run…</p>;
  const r = run.data;
  const images = r.artifacts.filter((a) => a.kind === 'image');
  return (
    <section className="run-detail" data-testid="run-detail" data-run-id={r.id} data-status={r.status}>
      <header>
        <h3>
          Run <code>{r.id}</code> · {r.workflowId ? <Link href={`/w/${r.workflowId}`}>{r.workflowName ?? r.workflowId}</Link> : 'ad-hoc graph'}
          {r.workflowVersion ? <span className="muted"> v{r.workflowVersion}</span> : null}
          {r.workflowId ? <> · <Link href={`/w/${r.workflowId}?run=${encodeURIComponent(r.id)}`} data-testid="open-run-graph">Open its graph in the editor</Link></> : null}
        </h3>
        <button type="button" onClick={onClose} aria-label="Close run">×</button>
      </header>
      <p>
        <span className={`run-status run-status-${r.status}`}>{r.status}</span>
        {' · '}queued <span title={new Date(r.queuedAt).toLocaleString()}>{timeAgo(r.queuedAt)}</span>
        {r.startedAt && r.finishedAt ? <> · ran {duration(new Date(r.finishedAt).getTime() - new Date(r.startedAt).getTime())}</> : null}
        {r.workerId ? <> · worker {r.workerId}</> : null}
      </p>
      {r.error && (
        <p className="error" data-testid="run-detail-error">
          <code>{r.error.code}</code>{r.error.nodeId ? <> at node <code>{r.error.nodeId}</code></> : null}: {r.error.message}
        </p>
      )}
      <div className="run-detail-images">
        {images.map((a) => (
          <figure key={a.id}>
            <a href={a.url} target="_blank" rel="noreferrer"><img src={a.url} alt={a.filename} /></a>
            <figcaption>
              {a.width}×{a.height}
              {ratings.data?.canRate && <> · <RateImage runId={r.id} artifactId={a.id} value={a.myRating} /></>}
            </figcaption>
          </figure>
        ))}
      </div>
      <RunTimeline runId={r.id} nodeTitle={(id) => r.graph.nodes.find((n) => n.id === id)?.title ?? id} />
    </section>
  );
}
