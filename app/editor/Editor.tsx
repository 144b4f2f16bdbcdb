'use client';
// Loads what the editor needs (workflow, catalog, models, who is asking) and shows the workspace once all arrived.
import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ReactFlowProvider } from '@xyflow/react';
import type { Graph } from '../../nodes/engine/graph';
import { useTRPC } from '../lib/trpc';
import { TopNav } from '../shell/TopNav';
import { EditorWorkspace } from './EditorWorkspace';
import type { WorkflowAccess } from './workflow-access';

interface Props {
  workflowId: string;
  /** The share link's token when opened through one. */
  shareToken?: string;
  /** Show this saved version read-only (absent = the current version, editable by its owner). */
  version?: number;
  /** Open the graph this run executed on the canvas (as unsaved changes). */
  runId?: string;
}

export function Editor({ workflowId, shareToken, version, runId }: Props) {
  const trpc = useTRPC();
  // Loaded once per visit: later saves must not reset the canvas under the user's hands (no refetch while open),
  // and a later visit (Back to latest, another tab's saves) must not reuse this copy (dropped on unmount).
  const workflow = useQuery(trpc.workflows.get.queryOptions(
    { id: workflowId, shareToken, version }, { staleTime: Infinity, gcTime: 0, retry: false },
  ));
  const catalog = useQuery(trpc.nodes.catalog.queryOptions(undefined, { staleTime: Infinity }));
  const models = useQuery(trpc.models.list.queryOptions());
  const me = useQuery(trpc.auth.me.queryOptions(undefined, { staleTime: 60_000 }));
  const modelMap = useMemo(() => new Map((models.data ?? []).map((m) => [m.kind as string, m.names])), [models.data]);
  const precisionMap = useMemo(() => new Map((models.data ?? []).map((m) => [m.kind as string, m.precision])), [models.data]);

  const error = workflow.error ?? catalog.error;
  if (error) {
    return (
      <div className="page">
        <TopNav />
        <main className="page-body">
          <p className="error" role="alert" data-testid="editor-error">Could not open the workflow: {error.message}</p>
          {shareToken && <p className="muted">The share link may have been revoked or replaced. Ask its owner for a new one.</p>}
        </main>
      </div>
    );
  }
  if (!workflow.data || !catalog.data || !me.data) {
    return (
      <div className="page">
        <TopNav />
        <main className="page-body"><p className="muted">Loading editor…</p></main>
      </div>
    );
  }
  const w = workflow.data;
  const access: WorkflowAccess = {
    authMode: me.data.auth,
    signedIn: me.data.user !== null,
    canEdit: w.canEdit,
    shareToken,
    viewingVersion: version !== undefined && version !== w.currentVersion ? version : null,
    currentVersion: w.currentVersion,
    ownerName: w.ownerName,
    visibility: w.visibility,
    ownerShareToken: w.shareToken,
    forkedFrom: w.forkedFrom,
    tags: w.tags,
    description: w.description,
  };
  return (
    <ReactFlowProvider>
      <EditorWorkspace
        key={`${w.id}`}
        workflow={{ id: w.id, name: w.name, version: { number: w.version.number, graph: w.version.graph as Graph } }}
        access={access}
        catalog={catalog.data}
        models={modelMap}
        modelPrecision={precisionMap}
        openRun={version === undefined ? runId : undefined}
      />
    </ReactFlowProvider>
  );
}
