'use client';
// The side panel's Debug tab: the live sampler view while a run is paused or running, and the
// timeline of stored steps for the selected sampler node of the shown run.
import type { RunView } from './run-state';
import { isActive } from './run-state';
import { LatentStatsPanel } from './LatentStatsPanel';
import { StepTimeline } from './StepTimeline';
import type { StepSample } from './step-log';

interface Props {
  view: RunView;
  /** The sampler node to show: the selected one, else the paused one, else the last one that sent steps. */
  nodeId: string | null;
  stepLog: Readonly<Record<string, StepSample[]>>;
  previews: Readonly<Record<string, string>>;
  latentPreviews: Readonly<Record<string, string>>;
}

export function DebugPanel({ view, nodeId, stepLog, previews, latentPreviews }: Props) {
  if (!view.runId || !nodeId) return <p className="muted">Turn Debug on, right-click the sampler → Break every step, and Run.</p>;
  const live = isActive(view.status);
  return (
    <div className="debug-panel" data-testid="debug-panel">
      {(live || stepLog[nodeId]?.length) && (
        <LatentStatsPanel samples={stepLog[nodeId] ?? []} pause={view.pause?.nodeId === nodeId ? view.pause : undefined} x0={previews[nodeId]} latent={latentPreviews[nodeId]} />
      )}
      {(view.status === 'paused' || !live) && (
        <StepTimeline runId={view.runId} nodeId={nodeId} refreshKey={`${view.status}:${view.pause?.step ?? ''}`} />
      )}
    </div>
  );
}
