// openDatabase picks the client by DATABASE_URL; the PostgreSQL client is refused when generated from another schema.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../prisma/migrate-database';
import { openDatabase } from './db';
import { assertClientsMatch, clientShape, DatabaseClientError } from './db-postgres';
import { Prisma } from './generated/prisma/client';
import { tempDir } from './testing/harness';
import { createTestDatabase, type TestDatabase } from './testing/postgres';

const dir = tempDir('db');
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const d of databases) await d.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});


describe('openDatabase', () => {
  it('opens a file: URL on SQLite in WAL mode with synchronous=NORMAL', async () => {
    const url = `file:${path.join(dir, 'a.db')}`;
    await migrateDatabase(url);
    const db = await openDatabase(url);
    try {
      expect(await db.$queryRawUnsafe('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
      // NORMAL (1): no fsync per commit in WAL mode.
      expect(await db.$queryRawUnsafe('PRAGMA synchronous')).toEqual([{ synchronous: 1n }]);
      expect(await db.workflow.count()).toBe(0);
    } finally {
      await db.$disconnect();
    }
  });

  it('refuses any other URL, naming both accepted forms and not the rest of the URL', async () => {
    const err = await openDatabase('mysql://root:hunter2@db/stepflow').catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^DATABASE_URL must be a SQLite URL like file:.* or a PostgreSQL URL like postgresql:\/\/.* \(got mysql:…\)$/);
    expect((err as Error).message).not.toContain('hunter2');
  });

  it('opens a postgresql:// URL on PostgreSQL through the pg adapter', async () => {
    const database = await createTestDatabase();
    databases.push(database);
    await migrateDatabase(database.url);
    const db = await openDatabase(database.url.replace(/^postgresql:/, 'postgres:'));
    try {
      const [{ version }] = await db.$queryRaw<{ version: string }[]>`SELECT version()`;
      expect(version).toMatch(/^PostgreSQL /);
      const w = await db.workflow.create({ data: { name: 'x', versions: { create: { number: 1, graph: '{}' } } }, include: { versions: true } });
      expect(w).toMatchObject({ name: 'x', currentVersion: 0, tags: '[]', visibility: 'private', versions: [{ number: 1, message: '' }] });
      expect(w.createdAt).toBeInstanceOf(Date);
    } finally {
      await db.$disconnect();
    }
  });

  it('names the database, never its password, when PostgreSQL cannot be opened', async () => {
    const url = 'postgresql://postgres:not-this-secret@127.0.0.1:5432/sf_does_not_exist_0';
    const err = await openDatabase(url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseClientError);
    expect((err as Error).message).toMatch(/^could not open PostgreSQL at postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:5432\/sf_does_not_exist_0 \(DATABASE_URL\): /);
    expect((err as Error).message).not.toContain('not-this-secret');
  });
});

describe('the two generated clients', () => {
  it('list the same models and columns', () => {
    expect(() => assertClientsMatch()).not.toThrow();
    expect(Object.keys(clientShape(Prisma))).toContain('WorkflowScalarFieldEnum');
  });

  it('are refused when one was generated from another schema (a column missing)', () => {
    const { thumbnailArtifactId: _gone, ...older } = Prisma.WorkflowScalarFieldEnum;
    const stale = { ...Prisma, WorkflowScalarFieldEnum: older };
    expect(() => assertClientsMatch(Prisma, stale)).toThrow(DatabaseClientError);
    expect(() => assertClientsMatch(Prisma, stale)).toThrow(/run `npm run db:generate`/);
  });
});
