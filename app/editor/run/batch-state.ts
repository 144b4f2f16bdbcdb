// The runs of one "Run ×N" press (pure reducer, no React): each run's status folded from the shared run events,
// and the header's text ("run 2 of 3 · 1 queued"). With dynamic batching several of them run at once.
import type { RunStatus } from '../../../nodes/engine/events';
import { isActive, isTerminal, type RunAction, type RunView } from './run-state';

export interface BatchView {
  /** In the order the server queued them. */
  runIds: readonly string[];
  status: Readonly<Record<string, RunView['status']>>;
}

export function startBatch(runIds: readonly string[]): BatchView {
  return { runIds: [...runIds], status: Object.fromEntries(runIds.map((id) => [id, 'queued' as const])) };
}

function statusAfter(prev: RunView['status'], a: RunAction): RunView['status'] {
  // An end is final: a late progress or snapshot of an unfinished run must not revive it.
  if (isTerminal(prev)) return prev;
  switch (a.type) {
    case 'run:started': case 'node:started': case 'node:progress': case 'node:preview': case 'run:resumed':
      return 'running';
    case 'run:paused': return 'paused';
    case 'run:finished': return 'succeeded';
    case 'run:failed': return 'failed';
    case 'run:cancelled': return 'cancelled';
    case 'local:snapshot': return a.snapshot.status === 'queued' && prev !== 'queued' ? prev : a.snapshot.status;
    default: return prev;
  }
}

export function reduceBatch(b: BatchView | null, a: RunAction): BatchView | null {
  if (!b) return b;
  const runId = a.type === 'local:snapshot' ? a.snapshot.runId : a.runId;
  const prev = b.status[runId];
  if (prev === undefined) return b;
  const next = statusAfter(prev, a);
  return next === prev ? b : { ...b, status: { ...b.status, [runId]: next } };
}

/** Statuses reported by runs.list (a poll fills in events the socket missed). */
export function applyStatuses(b: BatchView | null, rows: readonly { id: string; status: RunStatus }[]): BatchView | null {
  let out = b;
  for (const r of rows) out = reduceBatch(out, { type: 'local:snapshot', snapshot: { runId: r.id, status: r.status, artifacts: [] } });
  return out;
}

export function batchActive(b: BatchView | null): boolean {
  return b !== null && b.runIds.some((id) => isActive(b.status[id]));
}

/** The batch's runs still waiting or going (what "Stop batch" cancels). */
export function activeRunIds(b: BatchView | null): string[] {
  return b ? b.runIds.filter((id) => isActive(b.status[id])) : [];
}

/**
 * "run 2 of 3 · 1 queued" while runs go ("runs 1–4 of 10 · 6 queued" when several share a worker; k is the run's
 * place in the press), "2 of 3 done ·
 * 1 queued" while none runs, "3 runs: 2 succeeded, 1 cancelled" at the end; null for a single run.
 */
export function describeBatch(b: BatchView | null): string | null {
  if (!b || b.runIds.length < 2) return null;
  const n = b.runIds.length;
  const count = (pred: (s: RunView['status']) => boolean) => b.runIds.filter((id) => pred(b.status[id])).length;
  // Runs are numbered in queue order; those going are usually neighbours (the line is first come, first served).
  const going = b.runIds.flatMap((id, i) => (b.status[id] === 'running' || b.status[id] === 'paused' ? [i + 1] : []));
  const queued = count((s) => s === 'queued');
  const waiting = queued ? ` · ${queued} queued` : '';
  if (going.length === 1) return `run ${going[0]} of ${n}${waiting}`;
  if (going.length > 1) return `runs ${going[0]}–${going[going.length - 1]} of ${n}${waiting}`;
  if (queued) return `${count(isTerminal)} of ${n} done${waiting}`;
  const ends = (['succeeded', 'failed', 'cancelled', 'interrupted'] as const)
    .map((s) => [s, count((x) => x === s)] as const).filter(([, k]) => k > 0).map(([s, k]) => `${k} ${s}`);
  return `${n} runs: ${ends.join(', ')}`;
}
