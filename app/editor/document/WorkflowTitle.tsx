'use client';
// The workflow's name in the top bar: a dot while unsaved, click to rename (owners); "by <owner>" for others.
// A fresh copy opens with its name selected in the field, so typing names it at once.
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTRPC, useTRPCClient } from '../../lib/trpc';
import { useToast } from '../../shell/toast';

interface Props {
  id: string; name: string; dirty: boolean; version: number; canRename: boolean; owner: string | null;
  /** Open with the name field focused and selected (a copy just made). */
  renameNow?: boolean;
  /** Replaces the server rename (a draft not stored yet keeps its name until its first save). */
  onRename?(name: string): Promise<void>;
}

export function WorkflowTitle({ id, name, dirty, version, canRename, owner, renameNow = false, onRename }: Props) {
  const client = useTRPCClient();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const notify = useToast();
  const [editing, setEditing] = useState(renameNow && canRename);
  const [draft, setDraft] = useState(name);

  const commit = async () => {
    setEditing(false);
    const next = draft.trim();
    if (!next || next === name) return setDraft(name);
    try {
      if (onRename) return await onRename(next);
      await client.workflows.rename.mutate({ id, name: next });
      await queryClient.invalidateQueries(trpc.workflows.get.queryFilter({ id }));
      void queryClient.invalidateQueries(trpc.workflows.list.queryFilter());
    } catch (e) {
      notify(`Rename failed: ${(e as Error).message}`, 'error');
      setDraft(name);
    }
  };

  return (
    <div className="workflow-title">
      {editing ? (
        <input
          autoFocus aria-label="Workflow name" value={draft}
          onFocus={(e) => e.currentTarget.select()}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={() => void commit()}
          onKeyDown={(e) => { if (e.key === 'Enter') void commit(); if (e.key === 'Escape') { setDraft(name); setEditing(false); } }}
        />
      ) : (
        <h1
          onClick={canRename ? () => { setDraft(name); setEditing(true); } : undefined}
          title={canRename ? 'Click to rename' : undefined} data-testid="workflow-title"
        >
          {name}
          {dirty && <span className="dirty-dot" data-testid="unsaved-dot" title="Unsaved changes"> ●</span>}
        </h1>
      )}
      <span className="muted">{version > 0 ? `v${version}` : 'draft'}{owner ? ` · by ${owner}` : ''}</span>
    </div>
  );
}
