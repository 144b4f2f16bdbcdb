// Opens the Prisma client for DATABASE_URL: SQLite through the better-sqlite3 driver adapter (the default), or
// PostgreSQL through the pg adapter (server/db-postgres.ts). Prisma 7 needs no engine binary either way.
import fs from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { databaseKind, DATABASE_URL_HINT, describeDatabaseUrl, sqliteFilePath } from './database-url';
import { PrismaClient } from './generated/prisma/client';

/** The SQLite client's type; the PostgreSQL client offers the same models and calls (checked in db-postgres.ts). */
export type Db = PrismaClient;

export async function openDb(databasePath: string): Promise<Db> {
  fs.mkdirSync(path.dirname(databasePath), { recursive: true });
  const adapter = new PrismaBetterSqlite3({ url: `file:${databasePath}`, timeout: 5000 });
  const db = new PrismaClient({ adapter });
  // WAL lets page loads read while a run's results are being written.
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  // SQLite's advice for WAL: no fsync per commit (the driver is synchronous, so each one stalled the event loop for
  // 0.8–2.2 ms, eight or so per run). A crash of the process loses nothing; a power cut may lose the last commits,
  // never the database's consistency.
  await db.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
  return db;
}

/** The client for a DATABASE_URL (file:… or postgresql://…). */
export async function openDatabase(url: string): Promise<Db> {
  const kind = databaseKind(url);
  if (kind === 'sqlite') return openDb(sqliteFilePath(url));
  if (kind === 'postgres') {
    // Loaded on demand: a SQLite install never loads pg.
    const { openPostgresDb } = await import('./db-postgres');
    return openPostgresDb(url);
  }
  throw new Error(`${DATABASE_URL_HINT} (got ${describeDatabaseUrl(url).split(':')[0]}:…)`);
}
