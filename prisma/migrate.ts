// Applies prisma/migrations/*/migration.sql to a SQLite file, recording them in Prisma Migrate's
// own `_prisma_migrations` table, because Prisma 7's CLI cannot fetch its schema engine here.
// The folder layout, checksums and table match Prisma's, so `prisma migrate deploy` can take over.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export class MigrationError extends Error {
  constructor(readonly migration: string, message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

export function listMigrations(migrationsDir: string): string[] {
  if (!fs.existsSync(migrationsDir)) return [];
  return fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(migrationsDir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort();
}

export interface PendingMigration { name: string; sql: string; checksum: string }

/**
 * The folder's migrations not yet recorded as finished (`done`, by name), in order, with the SQL and checksum to
 * record; a recorded one whose file changed since is only warned about (both runners: SQLite here, PostgreSQL).
 */
export function pendingMigrations(migrationsDir: string, done: ReadonlyMap<string, { checksum: string }>): { pending: PendingMigration[]; alreadyApplied: string[] } {
  const pending: PendingMigration[] = [];
  const alreadyApplied: string[] = [];
  for (const name of listMigrations(migrationsDir)) {
    const sql = fs.readFileSync(path.join(migrationsDir, name, 'migration.sql'), 'utf8');
    const checksum = crypto.createHash('sha256').update(sql).digest('hex');
    const prior = done.get(name);
    if (!prior) {
      pending.push({ name, sql, checksum });
      continue;
    }
    if (prior.checksum !== checksum) {
      console.warn(`[migrate] ${name} was edited after it was applied (checksum differs); leaving the database as it is`);
    }
    alreadyApplied.push(name);
  }
  return { pending, alreadyApplied };
}

/** Applies every migration not yet recorded, each in its own transaction, in folder-name order. */
export function applyMigrations(databasePath: string, migrationsDir: string): MigrateResult {
  fs.mkdirSync(path.dirname(databasePath), { recursive: true });
  const db = new Database(databasePath);
  try {
    db.pragma('journal_mode = WAL');
    db.exec(MIGRATIONS_TABLE);
    const rows = db.prepare('SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"').all() as AppliedRow[];
    const done = new Map(rows.filter((r) => r.finished_at != null && r.rolled_back_at == null).map((r) => [r.migration_name, r]));
    const failed = rows.find((r) => r.finished_at == null && r.rolled_back_at == null);
    if (failed) {
      throw new MigrationError(
        failed.migration_name,
        `migration ${failed.migration_name} failed earlier and was never resolved; fix the database by hand ` +
          `(or delete ${databasePath} to start empty), then remove its row from _prisma_migrations`,
      );
    }
    const { pending, alreadyApplied } = pendingMigrations(migrationsDir, done);
    const result: MigrateResult = { applied: [], alreadyApplied };
    for (const m of pending) {
      applyOne(db, m.name, m.sql, m.checksum);
      result.applied.push(m.name);
    }
    return result;
  } finally {
    db.close();
  }
}

function applyOne(db: Database.Database, name: string, sql: string, checksum: string): void {
  const id = crypto.randomUUID();
  // Prisma stores these timestamps as Unix milliseconds in SQLite.
  db.prepare('INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, 0)')
    .run(id, checksum, name, Date.now());
  try {
    db.transaction(() => {
      db.exec(sql);
      db.prepare('UPDATE "_prisma_migrations" SET finished_at = ?, applied_steps_count = 1 WHERE id = ?').run(Date.now(), id);
    })();
  } catch (e) {
    // SQLite rolls DDL back with the transaction, so the row is marked rolled back and retried next start.
    db.prepare('UPDATE "_prisma_migrations" SET logs = ?, rolled_back_at = ? WHERE id = ?').run(String((e as Error).stack ?? e), Date.now(), id);
    throw new MigrationError(name, `migration ${name} failed: ${(e as Error).message}`);
  }
}
