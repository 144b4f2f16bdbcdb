'use client';
// Run and Stop: validate, enqueue the canvas graph (a run keeps the exact graph it ran; versions come from Save
// only), advance the seeds after it, and map a server-side rejection (e.g. a missing model file) onto the nodes.
// Stop this run, Stop batch (every run of the last Run ×N press) and Clear queue go through the server.
import { useCallback, useMemo, useRef, useState } from 'react';
import type { CatalogNode } from '../../../nodes/engine/catalog';
import type { Breakpoints } from '../../../nodes/engine/debugger';
import type { Graph } from '../../../nodes/engine/graph';
import type { GraphProblem } from '../../../nodes/engine/validate';
import { useTRPCClient } from '../../lib/trpc';
import { useToast } from '../../shell/toast';
import { activeRunIds, type BatchView } from './batch-state';
import { isActive, type RunView } from './run-state';
import { browserRandomSeed, cacheNotice, seedAdvances, seedsUsed } from './seed-advance';
import type { WorkflowDocument } from '../document/useWorkflowDocument';

const NO_PROBLEMS: GraphProblem[] = [];

interface Options {
  /** The document (its workflowId(): a New draft gets its id from its first save). */
  doc: WorkflowDocument;
  view: RunView;
  enqueued(runId: string, position: number): void;
  /** The runs of the last press (useRunFollower's batch) and how to start following a new one. */
  batch: BatchView | null;
  trackBatch(runIds: string[]): void;
  /** Batch count of the next press, and the catalog (which params are seeds), for the cache notice. */
  count: number;
  catalog: ReadonlyMap<string, CatalogNode>;
  /** false: not the owner, or an old version is shown. */
  canSave: boolean;
  /** A link-shared workflow's token (viewers). */
  shareToken?: string;
}

export function useRunActions({ doc, view, enqueued, batch, trackBatch, count, catalog, canSave, shareToken }: Options) {
  const client = useTRPCClient();
  const notify = useToast();
  const [busy, setBusy] = useState(false);
  const starting = useRef(false);
  const [lastSeeds, setLastSeeds] = useState<Record<string, number>>({});
  // The graph this tab last ran (doc.logical): run again unchanged with fixed seeds, it can only come from cache.
  const [lastRun, setLastRun] = useState<string | null>(null);
  // Problems only the server can see stay shown until the graph changes.
  const [serverProblems, setServerProblems] = useState<{ forGraph: string; problems: GraphProblem[] } | null>(null);

  /** Seeds the server used: shown next to the widgets; increment / randomize widgets move on (not an edit). */
  const adoptSeeds = useCallback((ran: Graph) => {
    setLastSeeds(seedsUsed(ran));
    doc.advanceSeeds(seedAdvances(ran, browserRandomSeed));
  }, [doc]);

  /**
   * Run the workflow; `debug` breakpoints make it pausable, `targets` runs only those nodes' ancestors ("run to here");
   * `queued` hears the run ids before the editor starts following them.
   */
  const run = useCallback(async (opts: { debug?: Breakpoints; targets?: string[]; count?: number; queued?(runIds: string[]): void } = {}) => {
    if (starting.current) return;
    const { validation } = doc;
    if (!validation.ok) {
      notify(`Fix ${validation.problems.length} problem(s) before running: ${validation.problems[0]?.message ?? ''}`, 'error');
      return;
    }
    starting.current = true;
    setBusy(true);
    try {
      // A draft (New, version 0) must exist to own runs: its first save creates it. Otherwise nothing is saved: the
      // canvas graph runs as it is (a run records its own graph; versions come from Save). An unchanged canvas names
      // its version; edits not saved yet run as the workflow's without one.
      const version = !canSave ? undefined
        : doc.savedVersion === 0 ? await doc.save(doc.message || 'created by its first run')
          : doc.dirty ? undefined : doc.savedVersion;
      const res = await client.runs.enqueue.mutate({
        workflowId: doc.workflowId(), shareToken, graph: doc.graph, version, debug: opts.debug, targets: opts.targets, count: opts.count,
      });
      setLastRun(doc.logical);
      opts.queued?.(res.runs.map((r) => r.runId));
      // Every run of a batch is followed; the editor shows each as it starts.
      trackBatch(res.runs.map((r) => r.runId));
      for (const r of res.runs) enqueued(r.runId, r.position);
      if (res.runs.length > 1) notify(`Queued ${res.runs.length} runs`, 'success');
      // "Run to here" inspects part of this graph: the full run after it should use the same seeds.
      if (!opts.targets) adoptSeeds(res.graph);
    } catch (e) {
      const problems = (e as { data?: { problems?: GraphProblem[] | null } }).data?.problems;
      if (problems?.length) setServerProblems({ forGraph: doc.logical, problems });
      notify(`Run failed to start: ${(e as Error).message}`, 'error');
    } finally {
      starting.current = false;
      setBusy(false);
    }
  }, [doc, client, enqueued, trackBatch, adoptSeeds, notify, canSave, shareToken]);

  const stop = useCallback(() => {
    if (!view.runId || !isActive(view.status)) return;
    client.runs.cancel.mutate({ runId: view.runId }).catch((e: Error) => notify(`Stop failed: ${e.message}`, 'error'));
  }, [client, view.runId, view.status, notify]);

  /** Every waiting and running run of the last Run ×N press, through the server (runs.cancelBatch). */
  const stopBatch = useCallback(() => {
    const runIds = activeRunIds(batch);
    if (!runIds.length) return;
    client.runs.cancelBatch.mutate({ runIds })
      .then(() => notify(`Stopping ${runIds.length} run(s) of the batch`, 'success'))
      .catch((e: Error) => notify(`Stop batch failed: ${e.message}`, 'error'));
  }, [client, batch, notify]);

  /** Every run of mine still waiting for this workflow (other tabs' and presses' too); running ones go on. */
  const clearQueue = useCallback(() => {
    client.runs.cancelQueued.mutate({ workflowId: doc.workflowId() })
      .then((r) => notify(`${r.cancelled} waiting run(s) cancelled`, 'success'))
      .catch((e: Error) => notify(`Clear queue failed: ${e.message}`, 'error'));
  }, [client, doc, notify]);

  const extraProblems = serverProblems?.forGraph === doc.logical ? serverProblems.problems : NO_PROBLEMS;
  const notice = useMemo(
    () => cacheNotice({ graph: doc.graph, logical: doc.logical, lastRun, count, catalog }), [doc.graph, doc.logical, lastRun, count, catalog],
  );
  return { run, stop, stopBatch, clearQueue, busy, lastSeeds, extraProblems, notice };
}
