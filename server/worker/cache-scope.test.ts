// The node output cache is per run owner (AUTH=local): a cache hit must not tell one user that another ran the
// same graph. Real server, real worker process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillGraph, join, recordEvents, until, type SessionClient, startTeamServer, type TeamServer } from '../testing/harness';

let t: TeamServer;
let ann: SessionClient;
let bob: SessionClient;

beforeAll(async () => {
  t = await startTeamServer('cache-scope');
  ({ ann, bob } = t);
}, 60_000);

afterAll(() => t?.close());

/** Runs the graph as `c`, watching its room; returns each node:finished event's `cached`, by node id. */
async function cachedFlags(c: SessionClient, graph: unknown): Promise<[string, boolean][]> {
  const s = await t.socket(c.cookie());
  const seen = recordEvents(s);
  const { runId } = await c.trpc.runs.enqueue.mutate({ graph });
  expect((await join(s, { runId })).ok).toBe(true);
  const run = await until(async () => {
    const r = await c.trpc.runs.get.query({ runId });
    return ['succeeded', 'failed'].includes(r.status) ? r : undefined;
  }, `run ${runId}`);
  expect(run.error).toBeNull();
  s.close();
  const fromEvents = seen.filter((e) => e.name === 'node:finished').map((e) => e.payload as { nodeId: string; cached: boolean });
  // Events that arrived before the join are in the recorded results; both must agree where both exist.
  for (const e of fromEvents) expect(run.nodes.find((n) => n.id === e.nodeId)?.cached).toBe(e.cached);
  return run.nodes.map((n) => [n.id, n.cached] as [string, boolean]).sort();
}

describe('node cache scope', () => {
  it('gives user B no cache hit on a graph user A ran; A hits its own cache again', async () => {
    const graph = fillGraph('#12ab34', 48, 24);
    expect(await cachedFlags(ann, graph)).toEqual([['fill', false], ['save', false]]);
    expect(await cachedFlags(bob, graph)).toEqual([['fill', false], ['save', false]]);
    expect(await cachedFlags(ann, graph)).toEqual([['fill', true], ['save', true]]);
    expect(await cachedFlags(bob, graph)).toEqual([['fill', true], ['save', true]]);
  });
});
