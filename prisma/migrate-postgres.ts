// Applies prisma/migrations-postgres/*/migration.sql to a PostgreSQL database, recording them in Prisma Migrate's
// `_prisma_migrations` table with Prisma's own column types, like prisma/migrate.ts does for SQLite.
import crypto from 'node:crypto';
import pg from 'pg';
import { describeDatabaseUrl } from '../server/database-url';
import { MigrationError, pendingMigrations, type MigrateResult } from './migrate';

/** Prisma Migrate's table on PostgreSQL, column for column, so `prisma migrate deploy` can take over. */
const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/**
 * The advisory lock key Prisma Migrate itself takes: two StepFlow servers starting at once, or one beside
 * `prisma migrate deploy`, apply migrations one after the other, and the second finds nothing left to do.
 */
export const MIGRATION_LOCK_KEY = 72707369;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export class DatabaseConnectError extends Error {
  constructor(readonly database: string, cause: unknown) {
    super(`could not connect to PostgreSQL at ${database} (DATABASE_URL): ${(cause as Error).message ?? cause}; `
      + 'check that the server is running and the database exists (e.g. createdb <name>)');
    this.name = 'DatabaseConnectError';
  }
}

/** A connected client, or a DatabaseConnectError naming the database (never its password). */
export async function connectPostgres(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw new DatabaseConnectError(describeDatabaseUrl(url), e);
  }
  return client;
}

/** Applies every migration not yet recorded, each in its own transaction, in folder-name order, under the lock. */
export async function applyPostgresMigrations(url: string, migrationsDir: string): Promise<MigrateResult> {
  const client = await connectPostgres(url);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await applyPending(client, url, migrationsDir);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    // Ending the session also drops the lock should the unlock above have failed.
    await client.end();
  }
}

async function applyPending(client: pg.Client, url: string, migrationsDir: string): Promise<MigrateResult> {
  await client.query(MIGRATIONS_TABLE);
  const { rows } = await client.query<AppliedRow>('SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"');
  const done = new Map(rows.filter((r) => r.finished_at != null && r.rolled_back_at == null).map((r) => [r.migration_name, r]));
  const failed = rows.find((r) => r.finished_at == null && r.rolled_back_at == null);
  if (failed) {
    throw new MigrationError(
      failed.migration_name,
      `migration ${failed.migration_name} failed earlier and was never resolved; fix the database ${describeDatabaseUrl(url)} `
        + 'by hand, then remove its row from _prisma_migrations (or mark it rolled back)',
    );
  }
  const { pending, alreadyApplied } = pendingMigrations(migrationsDir, done);
  const result: MigrateResult = { applied: [], alreadyApplied };
  for (const m of pending) {
    await applyOne(client, m.name, m.sql, m.checksum);
    result.applied.push(m.name);
  }
  return result;
}

async function applyOne(client: pg.Client, name: string, sql: string, checksum: string): Promise<void> {
  const id = crypto.randomUUID();
  // Recorded before the transaction, as Prisma does: a process killed mid-migration leaves an unfinished row
  // that the next start refuses on, instead of silently retrying.
  await client.query(
    'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
    [id, checksum, name],
  );
  try {
    await client.query('BEGIN');
    // No parameters: the simple query protocol runs a file of several statements.
    await client.query(sql);
    await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    // PostgreSQL rolls DDL back with the transaction, so the row is marked rolled back and retried next start.
    await client.query('UPDATE "_prisma_migrations" SET logs = $1, rolled_back_at = now() WHERE id = $2', [String((e as Error).stack ?? e), id]);
    throw new MigrationError(name, `migration ${name} failed: ${(e as Error).message}`);
  }
}
