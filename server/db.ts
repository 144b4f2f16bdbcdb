// Opens the Prisma client on the SQLite driver adapter (Prisma 7 needs no engine binary this way).
import fs from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from './generated/prisma/client';

export type Db = PrismaClient;

export async function openDb(databasePath: string): Promise<Db> {
  fs.mkdirSync(path.dirname(databasePath), { recursive: true });
  const adapter = new PrismaBetterSqlite3({ url: `file:${databasePath}`, timeout: 5000 });
  const db = new PrismaClient({ adapter });
  // WAL lets page loads read while a run's results are being written.
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  return db;
}
