'use client';
// Loads what the editor needs (workflow, catalog, models) and shows the workspace once all arrived.
import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ReactFlowProvider } from '@xyflow/react';
import type { Graph } from '../../nodes/engine/graph';
import { useTRPC } from '../lib/trpc';
import { TopNav } from '../shell/TopNav';
import { EditorWorkspace } from './EditorWorkspace';

export function Editor({ workflowId }: { workflowId: string }) {
  const trpc = useTRPC();
  // Loaded once: later saves must not reset the canvas under the user's hands.
  const workflow = useQuery(trpc.workflows.get.queryOptions({ id: workflowId }, { staleTime: Infinity }));
  const catalog = useQuery(trpc.nodes.catalog.queryOptions(undefined, { staleTime: Infinity }));
  const models = useQuery(trpc.models.list.queryOptions());
  const modelMap = useMemo(() => new Map((models.data ?? []).map((m) => [m.kind as string, m.names])), [models.data]);

  const error = workflow.error ?? catalog.error;
  if (error) {
    return (
      <div className="page">
        <TopNav />
        <main className="page-body"><p className="error" role="alert">Could not open the workflow: {error.message}</p></main>
      </div>
    );
  }
  if (!workflow.data || !catalog.data) {
    return (
      <div className="page">
        <TopNav />
        <main className="page-body"><p className="muted">Loading editor…</p></main>
      </div>
    );
  }
  const w = workflow.data;
  return (
    <ReactFlowProvider>
      <EditorWorkspace
        key={`${w.id}`}
        workflow={{ id: w.id, name: w.name, version: { number: w.version.number, graph: w.version.graph as Graph } }}
        catalog={catalog.data}
        models={modelMap}
      />
    </ReactFlowProvider>
  );
}
