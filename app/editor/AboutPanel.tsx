'use client';
// The "About" tab: owner, who can see it, where it was forked from, its tags (editable by the owner).
import Link from 'next/link';
import { TagEditor } from '../library/TagEditor';
import { workflowHref, type WorkflowAccess } from './workflow-access';

const VISIBILITY_TEXT = { private: 'Private', link: 'Anyone with the link', public: 'Public (listed in Explore)' } as const;

interface Props {
  workflowId: string;
  access: WorkflowAccess;
  onTags(tags: string[]): void;
}

export function AboutPanel({ workflowId, access, onTags }: Props) {
  const f = access.forkedFrom;
  return (
    <dl className="about-panel" data-testid="about-panel">
      {access.authMode === 'local' && (
        <>
          <dt>Owner</dt>
          <dd>{access.canEdit ? 'you' : (access.ownerName ?? 'nobody (admin)')}</dd>
          <dt>Visibility</dt>
          <dd>{VISIBILITY_TEXT[access.visibility]}</dd>
        </>
      )}
      <dt>Version</dt>
      <dd>v{access.viewingVersion ?? access.currentVersion}{access.viewingVersion ? ` (latest v${access.currentVersion})` : ''}</dd>
      {f && (
        <>
          <dt>Forked from</dt>
          <dd data-testid="forked-from">
            {f.viewable && f.name
              ? <Link href={workflowHref(f.id, { version: f.version ?? undefined })}>{f.name}</Link>
              : <span>{f.name ?? 'a deleted workflow'}</span>}
            {f.version !== null && <> @ version {f.version}</>}
          </dd>
        </>
      )}
      <dt>Tags</dt>
      <dd>
        {access.canEdit
          ? <TagEditor workflowId={workflowId} tags={access.tags} onSaved={onTags} />
          : access.tags.length ? access.tags.map((t) => <span key={t} className="tag-chip">{t}</span>) : <span className="muted">none</span>}
      </dd>
    </dl>
  );
}
