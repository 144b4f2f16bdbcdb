'use client';
// Run and Stop: validate, save a version when the graph changed (owners), enqueue it, show the seeds the
// server drew, and map a server-side rejection (e.g. a missing model file) onto the nodes.
// Someone else's workflow (or an old version) runs the canvas graph as is: nothing is saved.
import { useCallback, useRef, useState } from 'react';
import type { Breakpoints } from '../../nodes/engine/debugger';
import type { Graph } from '../../nodes/engine/graph';
import type { GraphProblem } from '../../nodes/engine/validate';
import { useTRPCClient } from '../lib/trpc';
import { useToast } from '../shell/toast';
import { isActive, type RunView } from './run-state';
import type { GraphEditor } from './useGraphEditor';
import type { WorkflowDocument } from './useWorkflowDocument';

const NO_PROBLEMS: GraphProblem[] = [];

interface Options {
  workflowId: string;
  doc: WorkflowDocument;
  editor: GraphEditor;
  view: RunView;
  enqueued(runId: string, position: number): void;
  /** false: not the owner, or an old version is shown. */
  canSave: boolean;
  /** A link-shared workflow's token (viewers). */
  shareToken?: string;
}

export function useRunActions({ workflowId, doc, editor, view, enqueued, canSave, shareToken }: Options) {
  const client = useTRPCClient();
  const notify = useToast();
  const [busy, setBusy] = useState(false);
  const starting = useRef(false);
  const [lastSeeds, setLastSeeds] = useState<Record<string, number>>({});
  // Problems only the server can see stay shown until the graph changes.
  const [serverProblems, setServerProblems] = useState<{ forGraph: string; problems: GraphProblem[] } | null>(null);

  /** Seeds the server drew: shown next to random seeds; increment seeds move on in the editor. */
  const adoptSeeds = useCallback((ran: Graph) => {
    const seen: Record<string, number> = {};
    for (const n of ran.nodes) {
      for (const [param, control] of Object.entries(n.controls ?? {})) {
        const value = n.params[param];
        if (typeof value !== 'number') continue;
        seen[`${n.id}.${param}`] = value;
        if (control !== 'increment') continue;
        editor.setNodes((ns) => ns.map((x) => (x.id === n.id ? { ...x, data: { ...x.data, params: { ...x.data.params, [param]: value } } } : x)));
      }
    }
    setLastSeeds(seen);
  }, [editor]);

  /** Run the workflow; `debug` breakpoints make it pausable, `targets` runs only those nodes' ancestors ("run to here"). */
  const run = useCallback(async (opts: { debug?: Breakpoints; targets?: string[]; count?: number } = {}) => {
    if (starting.current) return;
    const { validation } = doc;
    if (!validation.ok) {
      notify(`Fix ${validation.problems.length} problem(s) before running: ${validation.problems[0]?.message ?? ''}`, 'error');
      return;
    }
    starting.current = true;
    setBusy(true);
    try {
      let res;
      if (canSave) {
        // A draft (version 0) is stored first; its id is known only once that save returns.
        const version = doc.dirty || doc.savedVersion === 0 ? await doc.save(doc.message || 'saved before run') : doc.savedVersion;
        res = await client.runs.enqueue.mutate({ workflowId: doc.workflowId(), version, debug: opts.debug, targets: opts.targets, count: opts.count });
      } else {
        res = await client.runs.enqueue.mutate({
          workflowId, shareToken, graph: doc.graph, debug: opts.debug, targets: opts.targets, count: opts.count,
        });
      }
      // Every run of a batch is followed; the editor shows each as it starts.
      for (const r of res.runs) enqueued(r.runId, r.position);
      if (res.runs.length > 1) notify(`Queued ${res.runs.length} runs`, 'success');
      adoptSeeds(res.graph);
    } catch (e) {
      const problems = (e as { data?: { problems?: GraphProblem[] | null } }).data?.problems;
      if (problems?.length) setServerProblems({ forGraph: doc.logical, problems });
      notify(`Run failed to start: ${(e as Error).message}`, 'error');
    } finally {
      starting.current = false;
      setBusy(false);
    }
  }, [doc, client, workflowId, enqueued, adoptSeeds, notify, canSave, shareToken]);

  const stop = useCallback(() => {
    if (!view.runId || !isActive(view.status)) return;
    client.runs.cancel.mutate({ runId: view.runId }).catch((e: Error) => notify(`Stop failed: ${e.message}`, 'error'));
  }, [client, view.runId, view.status, notify]);

  const extraProblems = serverProblems?.forGraph === doc.logical ? serverProblems.problems : NO_PROBLEMS;
  return { run, stop, busy, lastSeeds, extraProblems };
}
