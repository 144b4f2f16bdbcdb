'use client';
// Shown while the debugger holds the run: where it is paused and the controls Step, Resume, Cancel.
import type { RunView } from '../run/run-state';
import { noiseLevel } from '../run/step-log';

export function DebugBanner({ view, nodeTitle, onStep, onResume, onCancel }: {
  view: RunView; nodeTitle(id: string): string; onStep(): void; onResume(): void; onCancel(): void;
}) {
  const p = view.pause;
  if (view.status !== 'paused' || !p) return null;
  const where = p.step >= 0 ? `paused at step ${p.step} / ${p.total}` : 'paused before the node';
  return (
    <div className="debug-banner" role="status" data-testid="debug-banner" data-step={p.step} data-node-id={p.nodeId}>
      <strong>{nodeTitle(p.nodeId)}</strong>
      <span data-testid="debug-where">{where}</span>
      {p.step >= 0 && <span className="muted">{noiseLevel(p)}</span>}
      <button type="button" onClick={onStep} title="Run one step and pause again (F10)">Step</button>
      <button type="button" onClick={onResume} title="Run to the next breakpoint or the end (F8)">Resume</button>
      <button type="button" onClick={onCancel} title="Cancel the run">Cancel</button>
    </div>
  );
}
