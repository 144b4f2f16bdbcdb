'use client';
// The strip shown when the editor opened on a draft kept in the browser (unsaved edits from an earlier visit).
interface Props {
  draft: { savedAt: number; baseVersion: number } | null;
  currentVersion: number;
  onDiscard(): void;
}

export function DraftBanner({ draft, currentVersion, onDiscard }: Props) {
  if (!draft) return null;
  const when = draft.savedAt ? new Date(draft.savedAt).toLocaleString() : 'an earlier visit';
  const stale = draft.baseVersion !== currentVersion ? ` It was made from version ${draft.baseVersion}; the workflow is now at version ${currentVersion}.` : '';
  return (
    <div className="workflow-banner" role="status" data-testid="draft-banner">
      <span>Unsaved draft from {when} restored: Save keeps it as a new version.{stale}</span>
      <button type="button" onClick={onDiscard}>Discard draft</button>
    </div>
  );
}
