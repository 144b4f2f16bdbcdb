'use client';
// The workflow's saved versions, newest first, each restorable (restoring appends a new version).
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';

export function VersionsPanel({ workflowId, current, onRestore }: { workflowId: string; current: number; onRestore(version: number): void }) {
  const trpc = useTRPC();
  const versions = useQuery(trpc.workflows.versions.queryOptions({ id: workflowId }));
  if (versions.isLoading) return <p className="muted">Loading versions…</p>;
  if (versions.error) return <p className="error">Could not load versions: {versions.error.message}</p>;
  return (
    <ol className="versions" data-testid="versions">
      {versions.data?.map((v) => (
        <li key={v.number} className={v.number === current ? 'current' : ''}>
          <div>
            <strong>v{v.number}</strong> <span className="muted">{new Date(v.createdAt).toLocaleString()}</span>
          </div>
          {v.message && <div className="version-message">{v.message}</div>}
          {v.number !== current && (
            <button type="button" onClick={() => onRestore(v.number)}>Restore v{v.number}</button>
          )}
        </li>
      ))}
    </ol>
  );
}
