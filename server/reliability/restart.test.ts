// Chaos: a real server process SIGKILLed (with its workers) while it executes one of 20 queued runs; started
// again on the same DATA_DIR, all 20 complete: the killed run had stored nothing, so it is queued again once.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../db';
import { fillGraph, slowGraph, tempDir, until } from '../testing/harness';
import { spawnServer, type SpawnedServer } from './spawned-server';

const dataDir = tempDir('restart');
const started: SpawnedServer[] = [];
let db: Db | undefined;

afterAll(async () => {
  await db?.$disconnect();
  for (const s of started) await s.kill();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('server SIGKILL with 20 queued runs', () => {
  it('after a restart on the same data all 20 succeed; the run killed mid-execution is re-queued once', async () => {
    const t0 = performance.now();
    const first = await spawnServer(dataDir);
    started.push(first);
    // One slow run first (several seconds in node "big"), then 19 quick ones behind it on the single worker.
    const slow = (await first.trpc.runs.enqueue.mutate({ graph: slowGraph() })).runId;
    const quick: string[] = [];
    for (let i = 0; i < 19; i++) {
      quick.push((await first.trpc.runs.enqueue.mutate({ graph: fillGraph(`#${(i * 13).toString(16).padStart(2, '0')}8040`, 16, 16) })).runId);
    }
    db = await openDb(path.join(dataDir, 'stepflow.db'));
    // Its first node done and "big" executing: kill now, with 19 runs still queued behind it.
    await until(async () => (await db!.nodeResult.count({ where: { runId: slow, nodeId: 'fill' } })) > 0 || undefined, 'the slow run to be executing', 90_000);
    const groupBefore = first.groupPids();
    expect(groupBefore.length).toBeGreaterThanOrEqual(2); // the server and its worker
    await first.kill();
    await until(() => first.groupPids().length === 0 || undefined, 'the killed server and workers to be gone');

    const left = await db.run.findMany({ select: { id: true, status: true } });
    expect(left).toHaveLength(20);
    expect(left.find((r) => r.id === slow)!.status).toBe('running');
    expect(left.filter((r) => r.status === 'queued')).toHaveLength(19);

    const second = await spawnServer(dataDir);
    started.push(second);
    const rows = await until(async () => {
      const all = await db!.run.findMany({ include: { artifacts: true, nodeResults: true } });
      return all.every((r) => r.status === 'succeeded') ? all : undefined;
    }, 'all 20 runs to succeed after the restart', 110_000);
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(`restart: killed ${groupBefore.length} processes mid-run; after restart ${rows.length}/20 succeeded, ${seconds} s`);

    expect(rows).toHaveLength(20);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(slow)).toMatchObject({ requeues: 1, errorCode: null });
    expect(byId.get(slow)!.nodeResults.map((n) => `${n.nodeId}:${n.status}`).sort()).toEqual(['big:succeeded', 'fill:succeeded', 'save:succeeded', 'small:succeeded']);
    for (const id of [slow, ...quick]) {
      expect(byId.get(id)!.artifacts.filter((a) => a.kind === 'image'), id).toHaveLength(1);
    }
    for (const id of quick) expect(byId.get(id)!.requeues).toBe(0);
    // The re-queued run kept its place: it started before every run queued behind it.
    const slowStart = byId.get(slow)!.startedAt!.getTime();
    for (const id of quick) expect(byId.get(id)!.startedAt!.getTime()).toBeGreaterThanOrEqual(slowStart);

    await second.stop();
    expect(second.groupPids()).toEqual([]);
  }, 300_000);
});
