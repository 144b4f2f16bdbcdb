// Load on loopback: CLIENTS Socket.io clients watch workflow rooms while RUNS tiny runs go through a real server
// process with 2 workers; every run succeeds and every client sees the end of every run it watches.
// Sizes: RELIABILITY_CLIENTS / RELIABILITY_RUNS (default 200 / 500, what `npm run reliability` runs).
import fs from 'node:fs';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, JoinAck, ServerToClientEvents } from '../socket-types';
import { fillGraph, tempDir, until } from '../testing/harness';
import { EXACT_POSITIONS } from '../queue/position-announcer';
import { spawnServer, type SpawnedServer } from './spawned-server';

const CLIENTS = Number(process.env.RELIABILITY_CLIENTS ?? 200);
const RUNS = Number(process.env.RELIABILITY_RUNS ?? 500);
const WORKFLOWS = 10;
const ENQUEUE_CONCURRENCY = 8;

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const dataDir = tempDir('load');
let server: SpawnedServer | undefined;
const clients: Client[] = [];

afterAll(async () => {
  for (const c of clients) c.close();
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

describe(`load: ${CLIENTS} watching clients, ${RUNS} queued runs`, () => {
  it('every run succeeds and every client receives the end of every run it watches', async () => {
    // One user queues every run here, so the per-user quota (MAX_QUEUED_RUNS_PER_USER, 200) is raised to let the
    // whole load wait at once: this measures the queue and the sockets, not the quota (server/limits tests that).
    server = await spawnServer(dataDir, { WORKERS: '2', MAX_QUEUED_RUNS_PER_USER: String(RUNS) });
    const { trpc, url } = server;
    const workflowIds: string[] = [];
    for (let i = 0; i < WORKFLOWS; i++) {
      workflowIds.push((await trpc.workflows.create.mutate({ name: `load ${i}`, graph: fillGraph(`#${i}${i}${i}`, 8, 8) })).id);
    }

    // What each client saw: run id → time its run:finished arrived; failures kept to report them.
    const seen: Map<string, number>[] = [];
    const failed: string[] = [];
    let positions = 0;
    for (let c = 0; c < CLIENTS; c++) {
      const s: Client = connect(url, { transports: ['websocket'], forceNew: true, reconnection: false });
      clients.push(s);
      const got = new Map<string, number>();
      seen.push(got);
      s.on('run:finished', (e) => got.set(e.runId, performance.now()));
      s.on('run:failed', (e) => failed.push(`${e.runId}: ${e.code} ${e.message}`));
      s.on('run:position', () => positions++);
      await new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', reject);
      });
      const ack = await new Promise<JoinAck>((resolve) => s.emit('join', { workflowId: workflowIds[c % WORKFLOWS] }, resolve));
      expect(ack.ok).toBe(true);
    }

    const enqueuedAt = new Map<string, number>();
    const workflowOf = new Map<string, string>();
    const t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: ENQUEUE_CONCURRENCY }, async () => {
      while (next < RUNS) {
        const workflowId = workflowIds[next++ % WORKFLOWS];
        const at = performance.now();
        const { runId } = await trpc.runs.enqueue.mutate({ workflowId });
        enqueuedAt.set(runId, at);
        workflowOf.set(runId, workflowId);
      }
    }));
    const enqueueSeconds = (performance.now() - t0) / 1000;

    const watched = (c: number) => [...workflowOf].filter(([, w]) => w === workflowIds[c % WORKFLOWS]).map(([r]) => r);
    const expected = Array.from({ length: CLIENTS }, (_, c) => watched(c));
    const total = expected.reduce((n, runs) => n + runs.length, 0);
    const delivered = () => seen.reduce((n, got, c) => n + expected[c].filter((r) => got.has(r)).length, 0);
    await until(() => failed.length > 0 || delivered() === total || undefined, `${total} run:finished deliveries`, 170_000)
      .catch((e: Error) => {
        throw new Error(`${e.message}: ${delivered()}/${total} delivered`);
      });
    expect(failed).toEqual([]);

    const lastEnd = Math.max(...seen.flatMap((got) => [...got.values()]));
    const latencies = seen.flatMap((got) => [...got].map(([runId, at]) => at - enqueuedAt.get(runId)!)).sort((a, b) => a - b);
    const seconds = (lastEnd - t0) / 1000;
    console.log(
      `load: ${CLIENTS} clients, ${RUNS} runs, 2 workers: enqueued in ${enqueueSeconds.toFixed(1)} s, all ended in ${seconds.toFixed(1)} s `
      + `(${(RUNS / seconds).toFixed(1)} runs/s); enqueue→client run:finished p50 ${(percentile(latencies, 50) / 1000).toFixed(2)} s, `
      + `p95 ${(percentile(latencies, 95) / 1000).toFixed(2)} s; run:finished delivered ${delivered()}/${total}; run:position events received ${positions}`,
    );

    const rows = await trpc.runs.list.query({ status: 'succeeded', limit: 1 });
    expect(rows.items).toHaveLength(1);
    expect(delivered()).toBe(total);
    expect(total).toBe(RUNS * CLIENTS / WORKFLOWS);
    // Announcing every queue move sent 2.35 M run:position events here (O(runs²) per watcher): the queue slowed
    // to a crawl. Now each watched run moves the client's position display a bounded, logarithmic number of times.
    const perRun = EXACT_POSITIONS + Math.ceil(Math.log(RUNS / EXACT_POSITIONS) / Math.log(5 / 4)) + 1;
    expect(positions).toBeLessThanOrEqual(total * perRun);
  }, 300_000);
});
