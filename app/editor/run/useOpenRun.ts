'use client';
// /w/<id>?run=<runId>: puts the exact graph a run executed (seeds as used) on the canvas as unsaved changes, once.
import { useEffect, useRef } from 'react';
import type { Graph } from '../../../nodes/engine/graph';
import { useTRPCClient } from '../../lib/trpc';
import { useToast } from '../../shell/toast';

export function useOpenRun(runId: string | undefined, workflowId: string, shareToken: string | undefined, load: (g: Graph) => void) {
  const client = useTRPCClient();
  const notify = useToast();
  const opened = useRef<string | null>(null);
  useEffect(() => {
    if (!runId || opened.current === runId) return;
    opened.current = runId;
    client.runs.get.query({ runId, shareToken })
      .then((run) => {
        if (run.workflowId !== workflowId) throw new Error(`it belongs to another workflow`);
        load(run.graph);
        notify(`Opened the graph of run ${runId}: Save keeps it as a new version`, 'success');
      })
      .catch((e: Error) => notify(`Could not open run ${runId}: ${e.message}`, 'error'));
  }, [runId, workflowId, shareToken, client, load, notify]);
}
