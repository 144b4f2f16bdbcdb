'use client';
// The Mine tab: my workflows (the whole library without accounts) with open, duplicate, tags and delete.
import Link from 'next/link';
import { useState } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { useToast } from '../shell/toast';
import { ConfirmDialog } from '../shell/ConfirmDialog';
import { searchInput } from './library-url';
import { SignInPrompt } from './SignInPrompt';
import { TagEditor } from './TagEditor';
import { WorkflowCard } from './WorkflowCard';

interface Props {
  q: string;
  /** Accounts on and nobody signed in: there is no "mine" to list. */
  signedOut: boolean;
  /** Visibility badges mean something only when the server has accounts. */
  showVisibility: boolean;
  onTagClick(tag: string): void;
  onShowTemplates(): void;
  onClearSearch(): void;
}

export function MyWorkflows({ q, signedOut, showVisibility, onTagClick, onShowTemplates, onClearSearch }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const notify = useToast();
  const [deleting, setDeleting] = useState<{ id: string; name: string } | null>(null);
  const [editingTags, setEditingTags] = useState<string | null>(null);
  // Always fresh on arrival: runs elsewhere change thumbnails and order.
  const workflows = useQuery({
    ...trpc.workflows.list.queryOptions(searchInput(q), { staleTime: 0, refetchOnMount: 'always', placeholderData: keepPreviousData }),
    enabled: !signedOut,
  });
  const refresh = () => queryClient.invalidateQueries(trpc.workflows.list.queryFilter());
  const onError = (what: string) => (e: { message: string }) => notify(`${what} failed: ${e.message}`, 'error');
  const duplicate = useMutation(trpc.workflows.duplicate.mutationOptions({
    onSuccess: (w) => { void refresh(); notify(`Created “${w.name}”`, 'success'); },
    onError: onError('Duplicate'),
  }));
  const remove = useMutation(trpc.workflows.delete.mutationOptions({
    onSuccess: () => { void refresh(); notify('Workflow deleted', 'success'); },
    onError: onError('Delete'),
  }));

  // A session that ended while the page was open answers UNAUTHORIZED: that is a sign-in matter, not a failure.
  if (signedOut || workflows.error?.data?.code === 'UNAUTHORIZED') {
    return <SignInPrompt why="Your workflows live in your account. Explore and Templates work without one." />;
  }
  const list = workflows.data;
  return (
    <>
      {workflows.isLoading && <p className="muted">Loading…</p>}
      {workflows.error && <p className="error" role="alert">Could not load workflows: {workflows.error.message}</p>}
      {list?.length === 0 && (q.trim() ? (
        <p className="muted" data-testid="library-empty">
          None of your workflows match “{q.trim()}”. <button type="button" className="link-button" onClick={onClearSearch}>Clear the search</button>
        </p>
      ) : (
        <p className="muted" data-testid="library-empty">
          No workflows yet. <button type="button" className="link-button" onClick={onShowTemplates}>Start from a template</button>,
          press New, or drop a workflow file (StepFlow PNG/JSON, ComfyUI API JSON) here.
        </p>
      ))}
      <div className="card-grid" data-testid="workflow-list" data-tab="mine">
        {list?.map((w) => (
          <WorkflowCard
            key={w.id} workflow={w} href={`/w/${w.id}`} showVisibility={showVisibility} onTagClick={onTagClick}
            tagEditor={editingTags === w.id ? <TagEditor workflowId={w.id} tags={w.tags} /> : undefined}
            actions={(
              <>
                <Link href={`/w/${w.id}`} className="button">Open</Link>
                <button type="button" onClick={() => duplicate.mutate({ id: w.id })}>Duplicate</button>
                <button type="button" aria-expanded={editingTags === w.id} onClick={() => setEditingTags(editingTags === w.id ? null : w.id)}>
                  Edit tags
                </button>
                <button type="button" className="danger" onClick={() => setDeleting({ id: w.id, name: w.name })}>Delete</button>
              </>
            )}
          />
        ))}
      </div>
      {deleting && (
        <ConfirmDialog
          title="Delete workflow?"
          message={`“${deleting.name}” leaves the library. Its past runs stay in the run history.`}
          confirmLabel="Delete"
          onCancel={() => setDeleting(null)}
          onConfirm={() => { remove.mutate({ id: deleting.id }); setDeleting(null); }}
        />
      )}
    </>
  );
}
