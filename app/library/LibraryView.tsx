'use client';
// The library: the user's workflows (open, duplicate, delete), the shipped templates, and import:
// a workflow file dropped on the page (or picked with Import…) becomes a new workflow, opened at once.
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useTRPC, useTRPCClient } from '../lib/trpc';
import { droppedFile, fileToBase64, isFileDrag } from '../lib/workflow-file';
import { leaveImportReport } from '../editor/import-report-store';
import { ImportButton } from '../shell/ImportButton';
import { TopNav } from '../shell/TopNav';
import { useToast } from '../shell/toast';
import { ConfirmDialog } from '../shell/ConfirmDialog';
import { WorkflowCard } from './WorkflowCard';
import { TemplateList } from './TemplateList';

export function LibraryView() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const notify = useToast();
  // Always fresh on arrival: runs elsewhere change thumbnails and order.
  const workflows = useQuery(trpc.workflows.list.queryOptions(undefined, { staleTime: 0, refetchOnMount: 'always' }));
  const client = useTRPCClient();
  const [importing, setImporting] = useState(false);
  const [deleting, setDeleting] = useState<{ id: string; name: string } | null>(null);
  const refresh = () => queryClient.invalidateQueries(trpc.workflows.list.queryFilter());
  const onError = (what: string) => (e: { message: string }) => notify(`${what} failed: ${e.message}`, 'error');

  const create = useMutation(trpc.workflows.create.mutationOptions({
    onSuccess: (w) => router.push(`/w/${w.id}`),
    onError: onError('Create'),
  }));
  const duplicate = useMutation(trpc.workflows.duplicate.mutationOptions({
    onSuccess: (w) => { void refresh(); notify(`Created “${w.name}”`, 'success'); },
    onError: onError('Duplicate'),
  }));
  const remove = useMutation(trpc.workflows.delete.mutationOptions({
    onSuccess: () => { void refresh(); notify('Workflow deleted', 'success'); },
    onError: onError('Delete'),
  }));

  const importFile = async (file: File) => {
    setImporting(true);
    try {
      const res = await client.workflows.import.mutate({ name: file.name, base64: await fileToBase64(file) });
      const w = await client.workflows.create.mutate({ name: res.name, graph: res.graph });
      leaveImportReport(w.id, res);
      void refresh();
      router.push(`/w/${w.id}`);
    } catch (e) {
      notify(`Import failed: ${(e as Error).message}`, 'error');
    } finally {
      setImporting(false);
    }
  };

  return (
    <div
      className="page" data-testid="library-drop"
      onDragOver={(e) => { if (isFileDrag(e.dataTransfer)) { e.preventDefault(); e.dataTransfer.dropEffect = 'copy'; } }}
      onDrop={(e) => {
        const file = droppedFile(e.dataTransfer);
        if (!file) return;
        e.preventDefault();
        void importFile(file);
      }}
    >
      <TopNav>
        <button type="button" className="primary" onClick={() => create.mutate({ name: 'Untitled workflow' })} disabled={create.isPending}>
          New
        </button>
        <ImportButton onFile={(f) => void importFile(f)} disabled={importing} />
      </TopNav>
      <main className="page-body library">
        <section>
          <h2>Workflows</h2>
          {workflows.isLoading && <p className="muted">Loading…</p>}
          {workflows.error && <p className="error" role="alert">Could not load workflows: {workflows.error.message}</p>}
          {workflows.data?.length === 0 && <p className="muted">No workflows yet. Start from a template below, press New, or drop a workflow file (StepFlow PNG/JSON, ComfyUI API JSON) here.</p>}
          <div className="card-grid" data-testid="workflow-list">
            {workflows.data?.map((w) => (
              <WorkflowCard
                key={w.id} workflow={w}
                onDuplicate={() => duplicate.mutate({ id: w.id })}
                onDelete={() => setDeleting({ id: w.id, name: w.name })}
              />
            ))}
          </div>
        </section>
        <TemplateList onUse={(t) => create.mutate({ name: t.name, templateFile: t.file })} busy={create.isPending} />
      </main>
      {deleting && (
        <ConfirmDialog
          title="Delete workflow?"
          message={`“${deleting.name}” leaves the library. Its past runs stay in the run history.`}
          confirmLabel="Delete"
          onCancel={() => setDeleting(null)}
          onConfirm={() => { remove.mutate({ id: deleting.id }); setDeleting(null); }}
        />
      )}
    </div>
  );
}
