// NodeResultWriter on both databases: rows written together go out as one statement, a second write of a node
// updates its row, and a row without outputs (a run's end) keeps the summaries node:finished stored.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../../prisma/migrate-database';
import { openDatabase, type Db } from '../db';
import { tempDir } from '../testing/harness';
import { createTestDatabase, type TestDatabase } from '../testing/postgres';
import { NodeResultWriter } from './node-result-writer';

const dir = tempDir('node-results');
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const d of databases) await d.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const kinds: [string, () => Promise<string>][] = [
  ['SQLite', async () => `file:${path.join(dir, 'a.db')}`],
  ['PostgreSQL', async () => {
    const d = await createTestDatabase();
    databases.push(d);
    return d.url;
  }],
];

/** The writer's one database call, counted. */
function counting(db: Db): { db: Pick<Db, '$executeRaw'>; statements(): number } {
  let n = 0;
  return {
    db: { $executeRaw: ((...args: Parameters<Db['$executeRaw']>) => { n++; return db.$executeRaw(...args); }) as Db['$executeRaw'] },
    statements: () => n,
  };
}

describe.each(kinds)('NodeResultWriter on %s', (_name, makeUrl) => {
  it('writes rows that arrive together in one statement, updates repeated nodes and keeps outputs on partial rows', async () => {
    const url = await makeUrl();
    await migrateDatabase(url);
    const db = await openDatabase(url);
    try {
      const runs = await Promise.all([1, 2, 3].map(() => db.run.create({ data: { graph: '{}', status: 'running' } })));
      const counted = counting(db);
      const writer = new NodeResultWriter(counted.db);
      const statements = counted.statements;
      await Promise.all(runs.flatMap((r, i) => ['positive', 'sampler'].map((nodeId) => writer.write({
        runId: r.id, nodeId, type: nodeId === 'sampler' ? 'sampler' : 'text_encoder', status: 'succeeded', ms: 10.5 + i, ortMs: 2.25, cached: i === 1,
        outputs: JSON.stringify([{ name: 'out', run: i }]), batch: nodeId === 'sampler' ? JSON.stringify({ size: 3 }) : null,
      }))));
      expect(statements()).toBe(1);

      // The end of run 0: its sampler again (same figures) and a skipped node without outputs, in one more statement.
      await Promise.all([
        writer.write({ runId: runs[0].id, nodeId: 'sampler', type: 'sampler', status: 'succeeded', ms: 99, ortMs: 1, cached: false }),
        writer.write({ runId: runs[0].id, nodeId: 'save', type: 'save_image', status: 'skipped', ms: 0, ortMs: 0, cached: false }),
      ]);
      expect(statements()).toBe(2);

      const rows = await db.nodeResult.findMany({ orderBy: [{ runId: 'asc' }, { nodeId: 'asc' }] });
      expect(rows).toHaveLength(7);
      const byRun = (i: number, nodeId: string) => rows.find((r) => r.runId === runs[i].id && r.nodeId === nodeId)!;
      expect(byRun(1, 'positive')).toMatchObject({ type: 'text_encoder', status: 'succeeded', ms: 11.5, ortMs: 2.25, cached: true, outputs: '[{"name":"out","run":1}]', batch: null });
      expect(byRun(2, 'sampler')).toMatchObject({ cached: false, batch: '{"size":3}' });
      // The partial row updated the figures and kept the summaries and batch node:finished wrote.
      expect(byRun(0, 'sampler')).toMatchObject({ ms: 99, ortMs: 1, outputs: '[{"name":"out","run":0}]', batch: '{"size":3}' });
      expect(byRun(0, 'save')).toMatchObject({ type: 'save_image', status: 'skipped', outputs: '[]', batch: null });

      // A statement that fails (no such run) rejects the writes of its group, and the writer goes on.
      const bad = writer.write({ runId: 'no-such-run', nodeId: 'x', type: 't', status: 'failed', ms: 0, ortMs: 0, cached: false });
      await expect(bad).rejects.toThrow();
      await writer.write({ runId: runs[2].id, nodeId: 'decode', type: 'vae_decode', status: 'failed', ms: 3, ortMs: 0, cached: false });
      expect(await db.nodeResult.count({ where: { runId: runs[2].id } })).toBe(3);
    } finally {
      await db.$disconnect();
    }
  });
});
