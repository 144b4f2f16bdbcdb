// Retention wired into the real server: at start it removes orphan *.tmp files and sweeps (one log line, ids at
// LOG_LEVEL=debug), then sweeps again on its timer; with the defaults it deletes nothing.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../prisma/migrate';
import { ArtifactStore } from '../artifacts/store';
import { openDb } from '../db';
import { migrationsDir } from '../paths';
import { startTestServer, tempDir, until, type TestServer } from '../testing/harness';

const cleanup: { t?: TestServer; dir: string }[] = [];

afterEach(async () => {
  for (const c of cleanup.splice(0)) {
    await c.t?.close();
    fs.rmSync(c.dir, { recursive: true, force: true });
  }
});

/** A data dir left by an earlier server: one finished run 40 days old with an output, and a crash's temp files. */
async function previousLife() {
  const dir = tempDir('retention-app');
  const entry: { t?: TestServer; dir: string } = { dir };
  cleanup.push(entry);
  const dbFile = path.join(dir, 'stepflow.db');
  applyMigrations(dbFile, migrationsDir);
  const db = await openDb(dbFile);
  const store = new ArtifactStore(dir);
  const old = new Date(Date.now() - 40 * 24 * 3600 * 1000);
  const run = await db.run.create({ data: { graph: '{}', status: 'succeeded', queuedAt: old, finishedAt: old } });
  // PNG's signature first: the store keeps only bytes that start like an image.
  const file = await store.put(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new TextEncoder().encode('forty days old')]));
  await db.artifact.create({
    data: { runId: run.id, nodeId: 'save', kind: 'image', filename: 'o.png', mime: 'image/png', sha256: file.sha256, size: file.size, width: 1, height: 1, path: file.path },
  });
  await db.$disconnect();
  const tmpArtifact = `${store.absolute(file.path)}.4242.deadbeef.tmp`;
  fs.writeFileSync(tmpArtifact, 'half a file');
  fs.mkdirSync(path.join(dir, 'inputs'), { recursive: true });
  const tmpInput = path.join(dir, 'inputs', `${'f'.repeat(32)}.png.4242.cafe.tmp`);
  fs.writeFileSync(tmpInput, 'half');
  return { entry, dir, runId: run.id, file: store.absolute(file.path), tmpArtifact, tmpInput };
}

describe('retention in the server', () => {
  it('removes orphan temp files and sweeps old runs at start, then again on its timer', async () => {
    const p = await previousLife();
    const logs: string[] = [];
    p.entry.t = await startTestServer(p.dir, { WORKERS: '0', WORKER_TOKEN: 'retention-test-token-01234', RETENTION_RUN_DAYS: '30', RETENTION_SWEEP_MS: '1000', LOG_LEVEL: 'debug' }, (m) => logs.push(m));
    const db = p.entry.t.server.services.db;

    expect(logs).toContain('removed 2 orphan temporary file(s) (15 bytes): '
      + `${path.relative(p.dir, p.tmpArtifact)}, ${path.relative(p.dir, p.tmpInput)}`);
    expect([fs.existsSync(p.tmpArtifact), fs.existsSync(p.tmpInput)]).toEqual([false, false]);
    await until(() => logs.find((l) => l.startsWith('retention sweep: deleted')), 'the first sweep');
    expect(logs.filter((l) => l.startsWith('retention sweep:')).slice(0, 3)).toEqual([
      `retention sweep: deleted 1 run(s), 1 artifact(s), 0 upload(s); removed 1 file(s), ${8 + 'forty days old'.length} bytes`,
      `retention sweep: runs deleted: ${p.runId}`,
      expect.stringMatching(/^retention sweep: artifacts deleted: \w+$/),
    ]);
    expect(await db.run.count()).toBe(0);
    expect(fs.existsSync(p.file)).toBe(false);

    // The timer sweeps again: a run that has just become old enough goes without a restart.
    const old = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    const later = await db.run.create({ data: { graph: '{}', status: 'cancelled', queuedAt: old, finishedAt: old } });
    await until(() => logs.find((l) => l === `retention sweep: runs deleted: ${later.id}`), 'a sweep on the timer');
    expect(await db.run.count()).toBe(0);
  });

  it('keeps everything with the default settings', async () => {
    const p = await previousLife();
    const logs: string[] = [];
    p.entry.t = await startTestServer(p.dir, { WORKERS: '0', WORKER_TOKEN: 'retention-test-token-01234' }, (m) => logs.push(m));
    expect(await p.entry.t.server.services.db.run.findMany({ select: { id: true } })).toEqual([{ id: p.runId }]);
    expect(fs.existsSync(p.file)).toBe(true);
    expect(logs.filter((l) => l.startsWith('retention'))).toEqual([]);
  });
});
