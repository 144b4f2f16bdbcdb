// The LoRA picker's fit notes: which checkpoint feeds each LoRA Loader (through chained loaders), and, from the
// server's header-only count (models.loraFit), a note on every LoRA that does not fit it.
import { useMemo } from 'react';
import { useQueries } from '@tanstack/react-query';
import { useTRPC } from '../../lib/trpc';

type LoraFit = { applied: number; total: number };
interface NodeLike { id: string; data: { type: string; params: Record<string, unknown> } }
interface EdgeLike { source: string; target: string; targetHandle?: string | null }

/** LoRA Loader id -> the checkpoint its `model` input comes from (loaders in between followed); unknown ones left out. */
export function loraCheckpoints(nodes: readonly NodeLike[], edges: readonly EdgeLike[]): Map<string, string> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const modelFrom = new Map(edges.filter((e) => e.targetHandle === 'model').map((e) => [e.target, e.source]));
  const out = new Map<string, string>();
  for (const n of nodes) {
    if (n.data.type !== 'lora_loader') continue;
    const seen = new Set<string>([n.id]);
    let up = byId.get(modelFrom.get(n.id) ?? '');
    while (up?.data.type === 'lora_loader' && !seen.has(up.id)) {
      seen.add(up.id);
      up = byId.get(modelFrom.get(up.id) ?? '');
    }
    const ckpt = up?.data.type === 'checkpoint_loader' ? up.data.params.ckpt_name : undefined;
    if (typeof ckpt === 'string' && ckpt) out.set(n.id, ckpt);
  }
  return out;
}

/** "⚠ does not fit sprites", "⚠ fits 3 of 120 layers of sprites"; nothing for a LoRA that fits whole. */
export function fitNote(fit: LoraFit | undefined, checkpoint: string): string | undefined {
  if (!fit || fit.total === 0 || fit.applied >= fit.total) return undefined;
  return fit.applied === 0 ? `⚠ does not fit ${checkpoint}` : `⚠ fits ${fit.applied} of ${fit.total} layers of ${checkpoint}`;
}

const NONE: Readonly<Record<string, string>> = Object.freeze({});

/** Per LoRA Loader node: LoRA name -> fit note. Asks the server once per checkpoint in the graph. */
export function useLoraFitNotes(nodes: readonly NodeLike[], edges: readonly EdgeLike[]): (nodeId: string) => Readonly<Record<string, string>> {
  const trpc = useTRPC();
  const map = loraCheckpoints(nodes, edges);
  // A stable key, so dragging nodes (new arrays every frame) neither refetches nor re-renders every canvas node.
  const key = JSON.stringify([...map].sort());
  const wiring = useMemo(() => new Map(JSON.parse(key) as [string, string][]), [key]);
  const checkpoints = useMemo(() => [...new Set(wiring.values())].sort(), [wiring]);
  const results = useQueries({
    queries: checkpoints.map((checkpoint) => trpc.models.loraFit.queryOptions({ checkpoint }, { staleTime: 30_000 })),
  });
  const fits = results.map((r) => r.data);
  const fitsKey = JSON.stringify(fits);
  return useMemo(() => {
    const byCheckpoint = new Map<string, Record<string, string>>();
    for (const data of JSON.parse(fitsKey) as ({ checkpoint: string; fit: Record<string, LoraFit> } | undefined)[]) {
      if (!data) continue;
      const notes: Record<string, string> = {};
      for (const [lora, fit] of Object.entries(data.fit)) {
        const note = fitNote(fit, data.checkpoint);
        if (note) notes[lora] = note;
      }
      byCheckpoint.set(data.checkpoint, notes);
    }
    return (nodeId: string) => byCheckpoint.get(wiring.get(nodeId) ?? '') ?? NONE;
  }, [fitsKey, wiring]);
}
