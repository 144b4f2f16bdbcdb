'use client';
// Fork: copies the workflow (as saved) into my library with its provenance; changes already made on the canvas
// become the fork's next version, so trying something on a shared workflow and then forking loses nothing.
import { useCallback, useState } from 'react';
import { useRouter } from 'next/navigation';
import type { Graph } from '../../../nodes/engine/graph';
import { useTRPCClient } from '../../lib/trpc';
import { useToast } from '../../shell/toast';
import { setUnsavedChanges } from '../../shell/unsaved-guard';
import { markFreshCopy } from './fresh-copy';

interface Options {
  workflowId: string;
  shareToken?: string;
  signedIn: boolean;
  /** The canvas graph when it differs from the saved version, else null. */
  unsavedGraph(): Graph | null;
}

export function useFork({ workflowId, shareToken, signedIn, unsavedGraph }: Options) {
  const client = useTRPCClient();
  const router = useRouter();
  const notify = useToast();
  const [busy, setBusy] = useState(false);

  const fork = useCallback(async () => {
    if (!signedIn) {
      router.push(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
      return;
    }
    setBusy(true);
    try {
      const copy = await client.workflows.fork.mutate({ id: workflowId, shareToken });
      const changes = unsavedGraph();
      if (changes) await client.workflows.save.mutate({ id: copy.id, graph: changes, message: 'changes made before forking' });
      // The canvas now lives on in the fork: leaving is not losing work.
      setUnsavedChanges(false);
      notify(`Forked into your library as “${copy.name}”`, 'success');
      markFreshCopy(copy.id);
      router.push(`/w/${copy.id}`);
    } catch (e) {
      notify(`Fork failed: ${(e as Error).message}`, 'error');
    } finally {
      setBusy(false);
    }
  }, [client, notify, router, shareToken, signedIn, unsavedGraph, workflowId]);

  return { fork, busy };
}
