'use client';
// The open workflow as a document: its graph as saved vs as edited (dirty), live validation,
// Save (new version with a message), Restore of an older version and Load of an imported graph.
// A draft (New) is stored by its first save, which creates the workflow (version 1) and reports its id.
import { useCallback, useMemo, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { CatalogNode } from '../../nodes/engine/catalog';
import type { Graph } from '../../nodes/engine/graph';
import { validateGraph } from '../../nodes/engine/validate';
import { useTRPC, useTRPCClient } from '../lib/trpc';
import { useDialogs } from '../shell/dialogs';
import { useToast } from '../shell/toast';
import { flowToGraph, graphToFlow } from './graph-mapping';
import type { GraphEditor } from './useGraphEditor';

export interface LoadedWorkflow {
  id: string;
  name: string;
  version: { number: number; graph: Graph };
  /** Not stored yet: the first save creates it (id is '' until then). */
  draft?: boolean;
}

export interface CreatedWorkflow { id: string; name: string }

/** The JSON the editor would save for `g` right after opening it (positions filled in). */
function canonical(g: Graph): string {
  const f = graphToFlow(g);
  return JSON.stringify(flowToGraph(f.nodes, f.edges, g.meta));
}

export function useWorkflowDocument(
  workflow: LoadedWorkflow, editor: GraphEditor, catalog: ReadonlyMap<string, CatalogNode>, onCreated?: (w: CreatedWorkflow) => void,
) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const notify = useToast();
  const dialogs = useDialogs();
  // Graph-level data (name, exposed API inputs…): state, so a change marks the document unsaved; the ref serves callbacks.
  const [metaState, setMetaState] = useState(workflow.version.graph.meta);
  const meta = useRef(metaState);
  const [saved, setSaved] = useState(() => ({ json: canonical(workflow.version.graph), version: workflow.version.number }));
  const [message, setMessage] = useState('');

  const graph = useMemo(() => flowToGraph(editor.nodes, editor.edges, metaState), [editor.nodes, editor.edges, metaState]);
  const dirty = useMemo(() => JSON.stringify(graph), [graph]) !== saved.json;
  // Validation ignores positions: dragging a node must not re-validate (and re-render) every node.
  const logical = useMemo(
    () => JSON.stringify({ version: 1, nodes: graph.nodes.map(({ position: _p, ...n }) => n), edges: graph.edges }),
    [graph],
  );
  const validation = useMemo(() => validateGraph(logical, { catalog }), [logical, catalog]);

  // The id a draft's first save got: callers that saved and then act on the workflow (Run) read it at once.
  const createdId = useRef<string | null>(null);
  const workflowId = useCallback(() => createdId.current ?? workflow.id, [workflow.id]);

  const saving = useRef<Promise<number> | null>(null);
  /** Stores a new version (a draft: creates the workflow); concurrent calls share one request. Rejects (after a toast) on failure. */
  const save = useCallback(async (msg?: string): Promise<number> => {
    if (saving.current) return saving.current;
    const g = editor.graphOf(meta.current);
    const text = JSON.stringify(g);
    const stored = workflow.draft && !createdId.current
      ? client.workflows.create.mutate({ name: workflow.name, graph: g, message: (msg ?? message) || undefined })
        .then((w) => {
          createdId.current = w.id;
          onCreated?.({ id: w.id, name: w.name });
          return { version: 1 };
        })
      : client.workflows.save.mutate({ id: workflowId(), graph: g, message: msg ?? message });
    const p = stored
      .then((res) => {
        setSaved({ json: text, version: res.version });
        setMessage('');
        void queryClient.invalidateQueries(trpc.workflows.versions.queryFilter({ id: workflowId() }));
        void queryClient.invalidateQueries(trpc.workflows.list.queryFilter());
        notify(`Saved version ${res.version}`, 'success');
        return res.version;
      })
      .finally(() => { saving.current = null; });
    saving.current = p;
    return p.catch((e: Error) => { notify(`Save failed: ${e.message}`, 'error'); throw e; });
  }, [client, editor, message, notify, queryClient, trpc, workflow.draft, workflow.name, workflowId, onCreated]);

  const restore = useCallback(async (version: number) => {
    if (dirty && !await dialogs.confirm({
      title: `Restore version ${version}?`, message: 'Restoring replaces your unsaved changes.', confirmLabel: 'Restore',
    })) return;
    try {
      const res = await client.workflows.restore.mutate({ id: workflow.id, version });
      const w = await client.workflows.get.query({ id: workflow.id, version: res.version });
      meta.current = w.version.graph.meta;
      setMetaState(meta.current);
      editor.replaceGraph(w.version.graph);
      setSaved({ json: canonical(w.version.graph), version: res.version });
      void queryClient.invalidateQueries(trpc.workflows.versions.queryFilter({ id: workflow.id }));
      notify(`Restored version ${version} as version ${res.version}`, 'success');
    } catch (e) {
      notify(`Restore failed: ${(e as Error).message}`, 'error');
    }
  }, [client, dialogs, dirty, editor, notify, queryClient, trpc, workflow.id]);

  /** Puts an imported graph on the canvas as unsaved changes (Save stores it as a new version). */
  const load = useCallback((g: Graph) => {
    meta.current = g.meta;
    setMetaState(g.meta);
    editor.replaceGraph(g);
  }, [editor]);

  /** Changes one graph-level field (e.g. `exposed`); saved with the next version. */
  const setMetaField = useCallback((key: string, value: unknown) => {
    const next = { ...(meta.current ?? {}) };
    if (value === undefined) delete next[key];
    else next[key] = value;
    meta.current = Object.keys(next).length ? next : undefined;
    setMetaState(meta.current);
  }, []);

  return { dirty, graph, load, logical, validation, savedVersion: saved.version, message, setMessage, save, restore, setMetaField, workflowId };
}

export type WorkflowDocument = ReturnType<typeof useWorkflowDocument>;
