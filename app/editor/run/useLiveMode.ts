'use client';
// Live mode: while on, every change of the graph's meaning (a prompt keystroke, a slider step, a new edge — not a
// node moved) runs it, through LiveRunner (edits gathered 40 ms, one live run at a time, a waiting one superseded,
// the newest graph next). The server's node cache re-runs only the changed node and what it feeds.
import { useEffect, useRef } from 'react';
import type { Graph } from '../../../nodes/engine/graph';
import { useTRPCClient } from '../../lib/trpc';
import { useToast } from '../../shell/toast';
import { liveGraph, LiveRunner } from './live-runner';
import { isTerminal, type RunView } from './run-state';
import type { WorkflowDocument } from '../document/useWorkflowDocument';

/** Edits are gathered this long from the first one: a burst of keys runs once, a drag runs at most this often. */
export const LIVE_GATHER_MS = 40;

interface Options {
  enabled: boolean;
  doc: WorkflowDocument;
  view: RunView;
  enqueued(runId: string, position: number): void;
  trackBatch(runIds: string[]): void;
  shareToken?: string;
}

export function useLiveMode({ enabled, doc, view, enqueued, trackBatch, shareToken }: Options): void {
  const client = useTRPCClient();
  const notify = useToast();
  const runner = useRef<LiveRunner<Graph> | null>(null);
  // The latest of everything the runner's callbacks use, so it is made once per switch-on.
  const latest = useRef({ doc, enqueued, trackBatch, shareToken, notify });
  latest.current = { doc, enqueued, trackBatch, shareToken, notify };

  useEffect(() => {
    if (!enabled) return;
    const r = new LiveRunner<Graph>({
      gatherMs: LIVE_GATHER_MS,
      enqueue: async (graph) => {
        const l = latest.current;
        const res = await client.runs.enqueue.mutate({ workflowId: l.doc.workflowId(), shareToken: l.shareToken, graph });
        l.trackBatch([res.runId]);
        l.enqueued(res.runId, res.position);
        return res.runId;
      },
      cancel: (runId) => client.runs.cancel.mutate({ runId, reason: 'superseded by a newer edit (live mode)' }),
      onError: (e) => latest.current.notify(`Live run failed to start: ${(e as Error).message}`, 'error'),
    });
    runner.current = r;
    return () => {
      r.stop();
      runner.current = null;
    };
  }, [enabled, client]);

  // Turning live on runs the graph as it is; each meaningful change after that runs it again. A graph with problems
  // waits until they are fixed (the nodes show them).
  const { logical, validation } = doc;
  useEffect(() => {
    if (enabled && validation.ok) runner.current?.change(liveGraph(latest.current.doc.graph));
  }, [enabled, logical, validation.ok]);

  useEffect(() => {
    if (!view.runId || view.status === 'queued') return;
    runner.current?.started(view.runId);
    if (isTerminal(view.status)) runner.current?.ended(view.runId);
  }, [view.runId, view.status]);

  // A Run pressed meanwhile takes the view: the live run's end is then read from the server, or live mode would wait
  // for it forever.
  const shown = useRef(view.runId);
  shown.current = view.runId;
  useEffect(() => {
    if (!enabled) return;
    const t = setInterval(() => {
      const id = runner.current?.running;
      if (!id || shown.current === id) return;
      client.runs.get.query({ runId: id, shareToken: latest.current.shareToken })
        .then((r) => {
          if (r.status !== 'queued') runner.current?.started(id);
          if (isTerminal(r.status)) runner.current?.ended(id);
        })
        .catch(() => undefined);
    }, 500);
    return () => clearInterval(t);
  }, [enabled, client]);
}
