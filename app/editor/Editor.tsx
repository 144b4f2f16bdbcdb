'use client';
// Loads what the editor needs (workflow, catalog, models, who is asking) and shows the workspace once all arrived.
// Without a workflow id it is a draft ("New"): nothing is stored until its first save, which creates the workflow.
import { useEffect, useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ReactFlowProvider } from '@xyflow/react';
import type { Graph } from '../../nodes/engine/graph';
import { useTRPC, useTRPCClient } from '../lib/trpc';
import { TopNav } from '../shell/TopNav';
import { EditorWorkspace } from './EditorWorkspace';
import { forgetFreshCopy, isFreshCopy } from './document/fresh-copy';
import type { WorkflowAccess } from './document/workflow-access';

interface Props {
  /** Absent: a new draft. */
  workflowId?: string;
  /** The share link's token when opened through one. */
  shareToken?: string;
  /** Show this saved version read-only (absent = the current version, editable by its owner). */
  version?: number;
  /** Open the graph this run executed on the canvas (as unsaved changes). */
  runId?: string;
}

const DRAFT_GRAPH: Graph = { version: 1, nodes: [], edges: [] };

export function Editor({ workflowId, shareToken, version, runId }: Props) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const isDraft = workflowId === undefined;
  // Loaded once per visit: later saves must not reset the canvas under the user's hands (no refetch while open),
  // and a later visit (Back to latest, another tab's saves) must not reuse this copy (dropped on unmount).
  const workflow = useQuery({
    ...trpc.workflows.get.queryOptions({ id: workflowId ?? '', shareToken, version }, { staleTime: Infinity, gcTime: 0, retry: false }),
    enabled: !isDraft,
  });
  // A draft's name and, once its first save stored it, its id (the page stays; only the address changes).
  const [draft, setDraft] = useState<{ id: string | null; name: string }>({ id: null, name: 'Untitled workflow' });
  // A copy just made (template, fork) or a draft opens with its name ready to type over.
  const [renameNow] = useState(() => workflowId === undefined || isFreshCopy(workflowId));
  useEffect(() => { if (workflowId) forgetFreshCopy(workflowId); }, [workflowId]);
  const catalog = useQuery(trpc.nodes.catalog.queryOptions(undefined, { staleTime: Infinity }));
  const models = useQuery(trpc.models.list.queryOptions());
  const me = useQuery(trpc.auth.me.queryOptions(undefined, { staleTime: 60_000 }));
  const modelMap = useMemo(() => new Map((models.data ?? []).map((m) => [m.kind as string, m.names])), [models.data]);
  const precisionMap = useMemo(() => new Map((models.data ?? []).map((m) => [m.kind as string, m.precision])), [models.data]);

  const error = (isDraft ? null : workflow.error) ?? catalog.error;
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
  if ((!isDraft && !workflow.data) || !catalog.data || !me.data) {
    return (
      <div className="page">
        <TopNav />
        <main className="page-body"><p className="muted">Loading editor…</p></main>
      </div>
    );
  }
  const w = isDraft
    ? {
      id: draft.id ?? '', name: draft.name, canEdit: true, currentVersion: draft.id ? 1 : 0, ownerName: me.data.user?.username ?? null,
      visibility: 'private' as const, shareToken: null, forkedFrom: null, tags: [], description: '',
      version: { number: 0, graph: DRAFT_GRAPH },
    }
    : workflow.data!;
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
        // A draft keeps its canvas when its first save gives it an id.
        key={isDraft ? 'draft' : w.id}
        workflow={{ id: w.id, name: w.name, version: { number: w.version.number, graph: w.version.graph as Graph }, draft: isDraft && !draft.id }}
        access={access}
        renameNow={renameNow}
        onCreated={isDraft ? (created) => {
          setDraft(created);
          // The address becomes the workflow's, without leaving the page (a reload opens the stored workflow).
          window.history.replaceState(null, '', `/w/${encodeURIComponent(created.id)}`);
        } : undefined}
        onRename={isDraft ? async (name) => {
          if (draft.id) await client.workflows.rename.mutate({ id: draft.id, name });
          setDraft((d) => ({ ...d, name }));
        } : undefined}
        catalog={catalog.data}
        models={modelMap}
        modelPrecision={precisionMap}
        openRun={version === undefined ? runId : undefined}
      />
    </ReactFlowProvider>
  );
}
