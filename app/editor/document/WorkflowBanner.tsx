'use client';
// The strip under the top bar when the canvas is not the owner's editable current version: someone else's
// workflow (run it, fork it to keep changes) or an old version (read-only; back to latest, or restore it).
import Link from 'next/link';
import { workflowHref, type EditorMode, type WorkflowAccess } from './workflow-access';

interface Props {
  workflowId: string;
  mode: EditorMode;
  access: WorkflowAccess;
  forking: boolean;
  onFork(): void;
  onRestore(version: number): void;
}

export function WorkflowBanner({ workflowId, mode, access, forking, onFork, onRestore }: Props) {
  if (mode === 'edit') return null;
  if (mode === 'version') {
    const v = access.viewingVersion!;
    return (
      <div className="workflow-banner" role="status" data-testid="version-banner">
        <span>Viewing version {v} of {access.currentVersion} — read-only.</span>
        <Link className="button" href={workflowHref(workflowId, { shareToken: access.shareToken })}>Back to latest</Link>
        {access.canEdit && <button type="button" onClick={() => onRestore(v)}>Restore v{v}</button>}
      </div>
    );
  }
  const next = encodeURIComponent(workflowHref(workflowId, { shareToken: access.shareToken }));
  return (
    <div className="workflow-banner" role="status" data-testid="view-only-banner">
      <span>
        {access.ownerName ? <>Shared by <strong>{access.ownerName}</strong>. </> : null}
        View only: {access.signedIn ? 'you can change the canvas and run it as your own run, but only its owner can save.' : 'sign in to run or fork it.'}
      </span>
      {access.signedIn
        ? <button type="button" className="primary" onClick={onFork} disabled={forking}>{forking ? 'Forking…' : 'Fork to my library'}</button>
        : <Link className="button primary" href={`/login?next=${next}`}>Sign in</Link>}
    </div>
  );
}
