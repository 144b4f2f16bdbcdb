// Worker pools (scaled mode): a run waits for a worker of its pool. One name shape for every place that takes one
// (runs.enqueue, ?pool=, a workflow's meta.pool, --pool, WORKER_POOL; REDIS_PREFIX has the same shape).
import type { Graph } from '../../nodes/engine/graph';

export const DEFAULT_POOL = 'default';
export const POOL_PATTERN = /^[\w.-]{1,64}$/;
export const POOL_SHAPE = '1 to 64 letters, digits, ".", "_" or "-"';

/** A workflow may name its pool in its graph's meta (`"pool": "full"`); anything else means the default pool. */
export function poolOf(graph: Graph): string {
  const p = graph.meta?.pool;
  return typeof p === 'string' && POOL_PATTERN.test(p) ? p : DEFAULT_POOL;
}
