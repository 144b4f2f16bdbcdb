// The PostgreSQL runner behaves like prisma/migrate.ts (and Prisma Migrate): records, checksums, one transaction per
// migration, refusal on an unresolved failure, and one runner at a time when servers start together.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../server/testing/postgres';
import { listMigrations, MigrationError } from './migrate';
import { migrateDatabase } from './migrate-database';
import { applyPostgresMigrations, DatabaseConnectError } from './migrate-postgres';

const here = path.dirname(new URL(import.meta.url).pathname);
const migrationsDir = path.join(here, 'migrations-postgres');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-migrate-pg-'));
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const d of databases) await d.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function freshDatabase(): Promise<TestDatabase> {
  const d = await createTestDatabase();
  databases.push(d);
  return d;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const sha = (name: string) => crypto.createHash('sha256').update(fs.readFileSync(path.join(migrationsDir, name, 'migration.sql'))).digest('hex');


describe('PostgreSQL migrations', () => {
  it('records each migration like Prisma (checksum, timestamps, steps) in Prisma\'s table, and applies it once', async () => {
    const { url } = await freshDatabase();
    const first = await applyPostgresMigrations(url, migrationsDir);
    expect(first.applied).toEqual(listMigrations(migrationsDir));
    expect(first.applied[0]).toBe('20260201000000_init');
    expect(await applyPostgresMigrations(url, migrationsDir)).toEqual({ applied: [], alreadyApplied: first.applied });
    const rows = await query(url, 'SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at FROM _prisma_migrations');
    expect(rows).toEqual(first.applied.map((name) => (
      { migration_name: name, checksum: sha(name), finished_at: expect.any(Date), applied_steps_count: 1, rolled_back_at: null })));
    const columns = await query(url, `SELECT column_name, data_type, character_maximum_length AS length, is_nullable
      FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`);
    expect(columns.map((c) => [c.column_name, c.data_type, c.length, c.is_nullable])).toEqual([
      ['id', 'character varying', 36, 'NO'],
      ['checksum', 'character varying', 64, 'NO'],
      ['finished_at', 'timestamp with time zone', null, 'YES'],
      ['migration_name', 'character varying', 255, 'NO'],
      ['logs', 'text', null, 'YES'],
      ['rolled_back_at', 'timestamp with time zone', null, 'YES'],
      ['started_at', 'timestamp with time zone', null, 'NO'],
      ['applied_steps_count', 'integer', null, 'NO'],
    ]);
  });

  it('applies once when two servers start at the same time on an empty database', async () => {
    const { url } = await freshDatabase();
    const results = await Promise.all([applyPostgresMigrations(url, migrationsDir), applyPostgresMigrations(url, migrationsDir), migrateDatabase(url)]);
    const all = listMigrations(migrationsDir).length;
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, all]);
    expect(await query(url, 'SELECT count(*)::int AS n FROM _prisma_migrations')).toEqual([{ n: all }]);
  });

  it('rolls a failing migration back, records it as rolled back with its error, keeps earlier ones, and retries it next time', async () => {
    const { url } = await freshDatabase();
    const dir = path.join(tmp, 'broken');
    fs.cpSync(migrationsDir, dir, { recursive: true });
    fs.mkdirSync(path.join(dir, '29990101000000_broken'));
    fs.writeFileSync(path.join(dir, '29990101000000_broken', 'migration.sql'), 'CREATE TABLE "Extra" ("id" TEXT);\nALTER TABLE "Nope" ADD COLUMN "x" TEXT;\n');
    const err = await applyPostgresMigrations(url, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).migration).toBe('29990101000000_broken');
    expect((err as Error).message).toBe('migration 29990101000000_broken failed: relation "Nope" does not exist');
    expect(await query(url, `SELECT to_regclass('"Extra"') IS NULL AS gone, to_regclass('"Workflow"') IS NOT NULL AS kept`)).toEqual([{ gone: true, kept: true }]);
    const [broken] = await query(url, `SELECT rolled_back_at, finished_at, logs FROM _prisma_migrations WHERE migration_name = '29990101000000_broken'`);
    expect(broken).toMatchObject({ rolled_back_at: expect.any(Date), finished_at: null, logs: expect.stringMatching(/relation "Nope" does not exist/) });
    // A rolled-back migration is not "unresolved": fixed, it is applied on the next start.
    fs.writeFileSync(path.join(dir, '29990101000000_broken', 'migration.sql'), 'CREATE TABLE "Extra" ("id" TEXT);\n');
    expect(await applyPostgresMigrations(url, dir)).toEqual({ applied: ['29990101000000_broken'], alreadyApplied: listMigrations(migrationsDir) });
  });

  it('refuses to start on a migration that never finished nor rolled back (a process killed mid-way)', async () => {
    const { url, name } = await freshDatabase();
    await applyPostgresMigrations(url, migrationsDir);
    await query(url, `INSERT INTO _prisma_migrations (id, checksum, migration_name) VALUES ('x', 'y', '29990101000000_half')`);
    const err = await applyPostgresMigrations(url, migrationsDir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toMatch(
      new RegExp(`^migration 29990101000000_half failed earlier and was never resolved; fix the database postgresql://postgres@127\\.0\\.0\\.1:5432/${name} by hand`));
  });

  it('names the database, not its password, when it cannot connect', async () => {
    const { name } = await freshDatabase();
    const url = `postgresql://postgres:not-this-secret@127.0.0.1:5432/${name}_missing`;
    const err = await applyPostgresMigrations(url, migrationsDir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseConnectError);
    expect((err as Error).message).toContain(`could not connect to PostgreSQL at postgresql://postgres:***@127.0.0.1:5432/${name}_missing (DATABASE_URL):`);
    expect((err as Error).message).toContain('does not exist');
    expect((err as Error).message).not.toContain('not-this-secret');
  });
});

describe('migrateDatabase', () => {
  it('takes a file: URL to the SQLite runner', async () => {
    const file = path.join(tmp, 'sqlite.db');
    const result = await migrateDatabase(`file:${file}`);
    expect(result.applied).toEqual(listMigrations(path.join(here, 'migrations')));
    expect(fs.existsSync(file)).toBe(true);
  });

  it('refuses any other URL, naming both accepted forms', async () => {
    await expect(migrateDatabase('mysql://localhost/x')).rejects.toThrow(/file:\.\/data\/stepflow\.db or a PostgreSQL URL like postgresql:\/\//);
  });
});
