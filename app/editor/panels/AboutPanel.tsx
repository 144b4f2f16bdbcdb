'use client';
// The "About" tab: owner, who can see it, where it was forked from, its description and tags (the owner edits both).
import { useState } from 'react';
import Link from 'next/link';
import { useQueryClient } from '@tanstack/react-query';
import { useTRPC, useTRPCClient } from '../../lib/trpc';
import { useToast } from '../../shell/toast';
import { TagEditor } from '../../library/TagEditor';
import { workflowHref, type WorkflowAccess } from '../document/workflow-access';

const VISIBILITY_TEXT = { private: 'Private', link: 'Anyone with the link', public: 'Public (listed in Explore)' } as const;

interface Props {
  workflowId: string;
  name: string;
  access: WorkflowAccess;
  onTags(tags: string[]): void;
  onDescription(text: string): void;
}

/** Saved when the field loses focus (not a graph edit: no new version). */
function DescriptionEditor({ workflowId, name, text, onSaved }: { workflowId: string; name: string; text: string; onSaved(t: string): void }) {
  const client = useTRPCClient();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const notify = useToast();
  const [draft, setDraft] = useState(text);
  const save = async () => {
    if (draft === text) return;
    try {
      await client.workflows.rename.mutate({ id: workflowId, name, description: draft });
      onSaved(draft);
      void queryClient.invalidateQueries(trpc.workflows.list.queryFilter());
      notify('Description saved', 'success');
    } catch (e) {
      notify(`Saving the description failed: ${(e as Error).message}`, 'error');
    }
  };
  return (
    <textarea
      className="about-description" rows={4} maxLength={5000} value={draft} aria-label="Description"
      placeholder="What this workflow does, what to change…" onChange={(e) => setDraft(e.target.value)} onBlur={() => void save()}
    />
  );
}

export function AboutPanel({ workflowId, name, access, onTags, onDescription }: Props) {
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
      <dt>About</dt>
      <dd>
        {access.canEdit && access.viewingVersion === null
          ? <DescriptionEditor workflowId={workflowId} name={name} text={access.description} onSaved={onDescription} />
          : <span className="about-text">{access.description || <span className="muted">no description</span>}</span>}
      </dd>
      <dt>Tags</dt>
      <dd>
        {access.canEdit
          ? <TagEditor workflowId={workflowId} tags={access.tags} onSaved={onTags} />
          : access.tags.length ? access.tags.map((t) => <span key={t} className="tag-chip">{t}</span>) : <span className="muted">none</span>}
      </dd>
    </dl>
  );
}
