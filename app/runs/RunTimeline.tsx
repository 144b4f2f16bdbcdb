'use client';
// A past run's sampler steps on the runs page: one tab per node that stored steps (runs.stepNodes), and the editor's
// timeline (scrub, pin, stats) for the chosen one. A run keeps steps when someone watched it, or with PREVIEW_STEPS=all.
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { StepTimeline } from '../editor/run/StepTimeline';

export function RunTimeline({ runId, nodeTitle }: { runId: string; nodeTitle(id: string): string }) {
  const trpc = useTRPC();
  const nodes = useQuery(trpc.runs.stepNodes.queryOptions({ runId }));
  const [chosen, setChosen] = useState<string | null>(null);
  if (!nodes.data) return null;
  if (!nodes.data.length) {
    return (
      <p className="muted" data-testid="run-timeline-none">
        No sampler steps stored for this run (kept for runs someone watched, or every run with PREVIEW_STEPS=all, within the newest PREVIEW_RUNS_KEPT).
      </p>
    );
  }
  const nodeId = chosen ?? nodes.data[0].nodeId;
  return (
    <section className="run-timeline" data-testid="run-timeline">
      <div className="tabs" role="tablist" aria-label="Sampler steps of">
        {nodes.data.map((n) => (
          <button key={n.nodeId} type="button" role="tab" aria-selected={n.nodeId === nodeId} onClick={() => setChosen(n.nodeId)}>
            {nodeTitle(n.nodeId)} · {n.steps} steps
          </button>
        ))}
      </div>
      <StepTimeline runId={runId} nodeId={nodeId} refreshKey={runId} />
    </section>
  );
}
