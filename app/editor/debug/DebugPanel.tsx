'use client';
// The side panel's Debug tab: the breakpoints (switched on or off as a whole, cleared), the live sampler view while a
// run is paused or running, and the timeline of stored steps for the selected sampler node of the shown run.
import type { RunView } from '../run/run-state';
import { isActive } from '../run/run-state';
import { LatentStatsPanel } from '../panels/LatentStatsPanel';
import { StepTimeline } from '../run/StepTimeline';
import type { StepSample } from '../run/step-log';

interface Props {
  view: RunView;
  /** The sampler node to show: the selected one, else the paused one, else the last one that sent steps. */
  nodeId: string | null;
  stepLog: Readonly<Record<string, StepSample[]>>;
  previews: Readonly<Record<string, string>>;
  latentPreviews: Readonly<Record<string, string>>;
  /** Badge text per node with breakpoints. */
  breakpoints: ReadonlyMap<string, string>;
  enabled: boolean;
  onEnabled(on: boolean): void;
  onClearAll(): void;
  nodeTitle(id: string): string;
}

export function DebugPanel({ view, nodeId, stepLog, previews, latentPreviews, breakpoints, enabled, onEnabled, onClearAll, nodeTitle }: Props) {
  const live = isActive(view.status);
  return (
    <>
      <section className="breakpoint-list" data-testid="breakpoint-list">
        <label title="Off: Debug runs go past every breakpoint (they stay set, dimmed)">
          <input type="checkbox" checked={enabled} onChange={(e) => onEnabled(e.target.checked)} /> Stop at breakpoints
        </label>
        {breakpoints.size === 0
          ? <p className="muted">No breakpoints: right-click a sampler → Break every step, then Debug (Ctrl+Shift+Enter). Run goes past breakpoints.</p>
          : (
            <>
              <ul>{[...breakpoints].map(([id, text]) => <li key={id} className={enabled ? '' : 'muted'}>{nodeTitle(id)}: {text}</li>)}</ul>
              <button type="button" onClick={onClearAll}>Clear all breakpoints</button>
            </>
          )}
      </section>
      {view.runId && nodeId && (
        <div className="debug-panel" data-testid="debug-panel">
          {(live || stepLog[nodeId]?.length) && (
            <LatentStatsPanel samples={stepLog[nodeId] ?? []} pause={view.pause?.nodeId === nodeId ? view.pause : undefined} x0={previews[nodeId]} latent={latentPreviews[nodeId]} />
          )}
          {(view.status === 'paused' || !live) && (
            <StepTimeline runId={view.runId} nodeId={nodeId} refreshKey={`${view.status}:${view.pause?.step ?? ''}`} />
          )}
        </div>
      )}
    </>
  );
}
