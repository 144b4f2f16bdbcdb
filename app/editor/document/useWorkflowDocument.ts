'use client';
// The open workflow as a document: its graph as saved vs as edited (dirty), live validation,
// Save (new version with a message), Restore of an older version and Load of an imported graph.
// A draft (New) is stored by its first save, which creates the workflow (version 1) and reports its id.
// Unsaved work and seeds advanced after runs are kept in the browser (draft-store.ts), not as versions.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { CatalogNode } from '../../../nodes/engine/catalog';
import type { Graph } from '../../../nodes/engine/graph';
import { validateGraph } from '../../../nodes/engine/validate';
import { composeLevels } from '../subgraphs/levels';
import { useTRPC, useTRPCClient } from '../../lib/trpc';
import { useDialogs } from '../../shell/dialogs';
import { useToast } from '../../shell/toast';
import { openingState, readDraft, writeDraft, type OpeningState, type WorkflowDraft } from './draft-store';
import { flowToGraph, graphToFlow } from '../editing/graph-mapping';
import { withSeeds, type SeedAdvance } from '../run/seed-advance';
import type { GraphEditor } from '../editing/useGraphEditor';

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
  // As the document's graph is made (subgraph definitions last), so an opened workflow is not "unsaved".
  return JSON.stringify(composeLevels(flowToGraph(f.nodes, f.edges, g.meta, f.groups), [], g.subgraphs ?? {}));
}

function browserStorage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null; // storage disabled: the editor works, drafts are not kept
  }
}

/**
 * What the editor opens with (read once): the loaded version, or the draft kept for it. `drafts` false (someone
 * else's workflow, an old version) opens the version as it is.
 */
export function useOpeningState(workflow: LoadedWorkflow, drafts: boolean): OpeningState {
  const [state] = useState(() => {
    const storage = drafts && workflow.id ? browserStorage() : null;
    return openingState(workflow.version, canonical, storage ? readDraft(storage, workflow.id) : null);
  });
  return state;
}

interface Saved {
  /** JSON the canvas is compared with: the saved version, with the seeds advanced after runs written in. */
  json: string;
  version: number;
  /** `json` is the saved version exactly (no seed advanced since it was loaded or saved). */
  pristine: boolean;
}

export function useWorkflowDocument(
  workflow: LoadedWorkflow, editor: GraphEditor, catalog: ReadonlyMap<string, CatalogNode>, opening: OpeningState, drafts: boolean,
  onCreated?: (w: CreatedWorkflow) => void,
) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const notify = useToast();
  const dialogs = useDialogs();
  // Graph-level data (name, exposed API inputs…): state, so a change marks the document unsaved; the ref serves callbacks.
  const [metaState, setMetaState] = useState(opening.graph.meta);
  const meta = useRef(metaState);
  const [saved, setSaved] = useState<Saved>(() => ({ json: opening.baseline, version: workflow.version.number, pristine: !opening.seedsMoved }));
  const [message, setMessage] = useState('');
  /** The draft brought back on opening, shown until it is saved or discarded. */
  const [restored, setRestored] = useState(opening.restored);

  // The whole workflow, also while a subgraph is open on the canvas (subgraphs/levels.ts).
  const { compose } = editor;
  const graph = useMemo(
    () => compose(flowToGraph(editor.nodes, editor.edges, metaState, editor.groups)),
    [editor.nodes, editor.edges, metaState, editor.groups, compose],
  );
  const dirty = useMemo(() => JSON.stringify(graph), [graph]) !== saved.json;
  // Validation ignores positions: dragging a node must not re-validate (and re-render) every node.
  const logical = useMemo(
    () => JSON.stringify({ version: 1, nodes: graph.nodes.map(({ position: _p, ...n }) => n), edges: graph.edges, subgraphs: graph.subgraphs }),
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
        setSaved({ json: text, version: res.version, pristine: true });
        setRestored(null);
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
      setSaved({ json: canonical(w.version.graph), version: res.version, pristine: true });
      setRestored(null);
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

  /**
   * Seeds moved on after a run (increment / randomize): written on the canvas and into the baseline alike, so it is
   * not an edit (no unsaved mark, no version, no undo step) and the draft record keeps it for the next run.
   */
  const advanceSeeds = useCallback((advances: readonly SeedAdvance[]) => {
    if (!advances.length) return;
    editor.advanceSeeds(advances);
    setSaved((s) => ({ ...s, json: JSON.stringify(withSeeds(JSON.parse(s.json) as Graph, advances)), pristine: false }));
  }, [editor]);

  /** Back to the saved version (with its advanced seeds): the restored draft's edits go. */
  const discardDraft = useCallback(() => {
    const g = JSON.parse(saved.json) as Graph;
    meta.current = g.meta;
    setMetaState(g.meta);
    editor.replaceGraph(g);
    setRestored(null);
  }, [editor, saved.json]);

  // A New draft has no id until its first save; only then is there a record to keep.
  useDraftRecord(drafts ? workflowId() || null : null, graph, saved, dirty);

  return {
    dirty, graph, load, logical, validation, savedVersion: saved.version, message, setMessage, save, restore, setMetaField,
    workflowId, advanceSeeds, discardDraft, restoredDraft: dirty ? restored : null,
  };
}

/** Keeps the browser's draft record in step with the canvas (debounced; written at once when the page goes away). */
function useDraftRecord(workflowId: string | null, graph: Graph, saved: Saved, dirty: boolean) {
  const pending = useRef<{ draft: WorkflowDraft | null } | null>(null);
  const flush = useCallback(() => {
    const storage = browserStorage();
    if (!workflowId || !pending.current || !storage) return;
    writeDraft(storage, workflowId, pending.current.draft);
    pending.current = null;
  }, [workflowId]);
  useEffect(() => {
    if (!workflowId) return;
    const keep = dirty || !saved.pristine;
    pending.current = { draft: keep ? { baseVersion: saved.version, baseline: saved.json, graph, savedAt: Date.now() } : null };
    const t = setTimeout(flush, 250);
    return () => clearTimeout(t);
  }, [workflowId, graph, saved, dirty, flush]);
  useEffect(() => {
    window.addEventListener('pagehide', flush);
    return () => { window.removeEventListener('pagehide', flush); flush(); };
  }, [flush]);
}

export type WorkflowDocument = ReturnType<typeof useWorkflowDocument>;
