// Dynamic batching, server side: which queued runs go to one worker together (Triton's dynamic batcher: wait a
// short window for company, cap the batch). The worker decides what really shares a loop (nodes/sampling/batch.ts,
// by model, size and sampler settings); here only runs that could are picked, so nobody waits for a stranger.
import { getCatalog } from '../../nodes/registry';
import type { Graph } from '../../nodes/engine/graph';

export interface BatchPolicy {
  /** BATCH_WINDOW_MS: how long the head of the line may wait for batch-mates once a worker is free. */
  windowMs: number;
  /** MAX_BATCH: most runs handed to one worker at once; 1 = no batching. */
  maxBatch: number;
}

/** What the key needs of a Run row. */
export interface BatchCandidate {
  graph: string;
  debug: string | null;
  targets: string | null;
}

/** Params that differ between runs of a batch without keeping them from sharing a loop: seeds and prompts. */
function perRunParams(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const node of getCatalog()) {
    const names = node.params
      .filter((p) => p.ui.widget === 'seed' || (node.category === 'conditioning' && p.ui.valueType === 'string' && (p.ui.widget === 'text' || p.ui.widget === 'textarea')))
      .map((p) => p.name);
    if (names.length) out.set(node.type, new Set(names));
  }
  return out;
}

let perRun: Map<string, Set<string>> | undefined;

/**
 * Runs with the same key may be dispatched together: the same graph apart from seeds, prompts, layout and titles.
 * null: the run goes alone — a debugged run (breakpoints would hold its batch-mates) or a "run to here".
 */
export function batchKeyOf(run: BatchCandidate): string | null {
  if (run.debug || run.targets) return null;
  perRun ??= perRunParams();
  let graph: Graph;
  try {
    graph = JSON.parse(run.graph) as Graph;
  } catch {
    return null;
  }
  const nodes = [...graph.nodes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((n) => {
    const skip = perRun!.get(n.type);
    const params = Object.keys(n.params).sort().filter((k) => !skip?.has(k)).map((k) => [k, n.params[k]]);
    return [n.id, n.type, n.typeVersion, n.mode ?? null, params];
  });
  const edges = graph.edges.map((e) => `${e.from.node}.${e.from.output}>${e.to.node}.${e.to.input}`).sort();
  return JSON.stringify([nodes, edges]);
}

/** Why a run goes to its worker alone while batching is on (shown with its sampler). */
export function aloneReason(run: BatchCandidate, maxBatch: number): string {
  if (maxBatch <= 1) return 'batching is off (MAX_BATCH=1)';
  if (run.debug) return 'debugged runs (breakpoints) are never batched';
  if (run.targets) return '"run to here" runs are never batched';
  return 'no queued run could share its sampling loop';
}

/**
 * From the queued runs in line order, the head and the first `maxBatch - 1` others with `key`, the head's batch key
 * (the caller has it already; null: the head goes alone). Runs between them with other keys keep their place for the
 * next free worker.
 */
export function gatherBatch<R extends BatchCandidate>(line: R[], maxBatch: number, key: string | null): R[] {
  if (line.length === 0) return [];
  const head = line[0];
  if (key === null || maxBatch <= 1) return [head];
  const batch = [head];
  for (const r of line.slice(1)) {
    if (batch.length >= maxBatch) break;
    if (batchKeyOf(r) === key) batch.push(r);
  }
  return batch;
}
