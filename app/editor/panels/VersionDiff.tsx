'use client';
// The change lines between two sides (a saved version or the canvas), from the interop diff.
import { useQuery } from '@tanstack/react-query';
import type { Graph } from '../../../nodes/engine/graph';
import { describeDiff, diffGraphs } from '../../../nodes/interop/diff';
import { useTRPC } from '../../lib/trpc';

export type DiffSide = number | 'canvas';

function useSideGraph(workflowId: string, shareToken: string | undefined, side: DiffSide, canvasGraph: Graph): { graph?: Graph; error?: string } {
  const trpc = useTRPC();
  // Saved versions never change: cached for good.
  const q = useQuery(trpc.workflows.get.queryOptions(
    { id: workflowId, shareToken, version: side === 'canvas' ? 1 : side },
    { enabled: side !== 'canvas', staleTime: Infinity },
  ));
  if (side === 'canvas') return { graph: canvasGraph };
  return { graph: q.data?.version.graph as Graph | undefined, error: q.error?.message };
}

interface Props { workflowId: string; shareToken?: string; from: DiffSide; to: DiffSide; canvasGraph: Graph }

export function VersionDiff({ workflowId, shareToken, from, to, canvasGraph }: Props) {
  const a = useSideGraph(workflowId, shareToken, from, canvasGraph);
  const b = useSideGraph(workflowId, shareToken, to, canvasGraph);
  const error = a.error ?? b.error;
  if (error) return <p className="error">Could not load the versions to compare: {error}</p>;
  if (!a.graph || !b.graph) return <p className="muted">Loading diff…</p>;
  const lines = describeDiff(diffGraphs(a.graph, b.graph));
  return (
    <ul className="version-diff" data-testid="version-diff">
      {lines.length === 0 ? <li className="muted">no differences</li> : lines.map((l, i) => <li key={i}>{l}</li>)}
    </ul>
  );
}
