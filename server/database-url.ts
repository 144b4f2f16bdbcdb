// Which database DATABASE_URL names: a SQLite file (file:…, the default) or a PostgreSQL server (postgresql://…).
import path from 'node:path';
import { projectRoot } from './paths';

export type DatabaseKind = 'sqlite' | 'postgres';

export const DATABASE_URL_HINT = 'DATABASE_URL must be a SQLite URL like file:./data/stepflow.db '
  + 'or a PostgreSQL URL like postgresql://user:password@host:5432/stepflow';

/** The kind of database a URL names, or undefined for anything else (env.ts turns that into DATABASE_URL_HINT). */
export function databaseKind(url: string): DatabaseKind | undefined {
  if (url.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  return undefined;
}

/** The URL fit for logs and error messages: a PostgreSQL password is replaced by ***. */
export function describeDatabaseUrl(url: string): string {
  if (databaseKind(url) !== 'postgres') return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    // Query parameters may carry a password too (?password=…, sslkey paths): logs need only the address.
    u.search = '';
    return u.toString();
  } catch {
    return 'postgresql://(unparseable URL)';
  }
}

/** Absolute path of the SQLite file a file: URL names; a relative path is taken from the project root. */
export function sqliteFilePath(url: string): string {
  if (databaseKind(url) !== 'sqlite') throw new Error(`sqliteFilePath: ${describeDatabaseUrl(url)} is not a file: URL`);
  return path.resolve(projectRoot, url.slice('file:'.length));
}
