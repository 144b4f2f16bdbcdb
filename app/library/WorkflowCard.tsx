'use client';
// One workflow in the library grid: thumbnail of its last output, name, age, actions.
import Link from 'next/link';
import type { RouterOutputs } from '../lib/trpc';
import { timeAgo } from '../lib/time-format';

type Summary = RouterOutputs['workflows']['list'][number];

export function WorkflowCard({ workflow: w, onDuplicate, onDelete }: { workflow: Summary; onDuplicate(): void; onDelete(): void }) {
  return (
    <article className="card" data-testid="workflow-card" data-workflow-id={w.id}>
      <Link href={`/w/${w.id}`} className="card-thumb" aria-label={`Open ${w.name}`}>
        {w.thumbnailUrl ? <img src={w.thumbnailUrl} alt="" data-testid="workflow-thumbnail" /> : <span className="muted">no output yet</span>}
      </Link>
      <div className="card-body">
        <h3 title={w.description}>{w.name}</h3>
        <span className="muted">v{w.currentVersion} · updated {timeAgo(w.updatedAt)}</span>
      </div>
      <div className="card-actions">
        <Link href={`/w/${w.id}`} className="button">Open</Link>
        <button type="button" onClick={onDuplicate}>Duplicate</button>
        <button type="button" className="danger" onClick={onDelete}>Delete</button>
      </div>
    </article>
  );
}
