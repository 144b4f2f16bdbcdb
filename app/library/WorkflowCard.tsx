'use client';
// One workflow in a library grid: thumbnail of its last output, name, tags, whose it is, age; the actions
// depend on the tab (mine: open/duplicate/tags/delete; shared and public ones: open/fork), so they come in.
import Link from 'next/link';
import type { ReactNode } from 'react';
import type { RouterOutputs } from '../lib/trpc';
import { timeAgo } from '../lib/time-format';

export type WorkflowSummary = RouterOutputs['workflows']['list'][number];

const VISIBILITY_LABELS: Record<WorkflowSummary['visibility'], { label: string; title: string }> = {
  private: { label: 'Private', title: 'Only you can open it' },
  link: { label: 'Link', title: 'Anyone with its share link can open it' },
  public: { label: 'Public', title: 'Listed in Explore for everyone' },
};

interface Props {
  workflow: WorkflowSummary;
  /** Where Open goes (a shared workflow needs its link's token). */
  href: string;
  /** "by <owner>" on other people's workflows. */
  showOwner?: boolean;
  /** Private / Link / Public on my own, when the server has accounts. */
  showVisibility?: boolean;
  onTagClick(tag: string): void;
  actions: ReactNode;
  /** Replaces the tag chips while the owner edits them. */
  tagEditor?: ReactNode;
}

export function WorkflowCard({ workflow: w, href, showOwner, showVisibility, onTagClick, actions, tagEditor }: Props) {
  const visibility = VISIBILITY_LABELS[w.visibility];
  return (
    <article className="card" data-testid="workflow-card" data-workflow-id={w.id}>
      <Link href={href} className="card-thumb" aria-label={`Open ${w.name}`}>
        {w.thumbnailUrl
          // Sized before it loads, so a lazy image below the fold still has its place in the grid.
          ? <img src={w.thumbnailUrl} alt="" width={256} height={256} loading="lazy" decoding="async" data-testid="workflow-thumbnail" />
          : <span className="muted">no output yet</span>}
      </Link>
      <div className="card-body">
        <h3 title={w.description || undefined}>{w.name}</h3>
        <div className="card-badges">
          {showVisibility && (
            <span className={`badge badge-${w.visibility}`} title={visibility.title} data-testid="visibility-badge">{visibility.label}</span>
          )}
          {w.forkedFromId && (
            <span className="badge badge-fork" data-testid="fork-hint"
              title={`Forked from another workflow${w.forkedFromVersion ? ` (its version ${w.forkedFromVersion})` : ''}`}>
              fork
            </span>
          )}
        </div>
        {showOwner && w.ownerName && <span className="card-owner" data-testid="workflow-owner">by {w.ownerName}</span>}
        <span className="muted">v{w.currentVersion} · updated {timeAgo(w.updatedAt)}</span>
        {tagEditor ?? (w.tags.length > 0 && (
          <ul className="tag-list" aria-label="Tags">
            {w.tags.map((t) => (
              <li key={t}>
                <button type="button" className="tag-chip" data-testid="tag-chip" aria-label={`Search #${t}`} onClick={() => onTagClick(t)}>
                  #{t}
                </button>
              </li>
            ))}
          </ul>
        ))}
      </div>
      <div className="card-actions">{actions}</div>
    </article>
  );
}
