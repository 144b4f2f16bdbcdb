// The PostgreSQL Prisma client (server/generated/prisma-pg, generated from prisma/generated/schema.postgres.prisma)
// on the pg driver adapter, handed out as a Db: the rest of the server is written once, against the SQLite type.
import { PrismaPg } from '@prisma/adapter-pg';
import { describeDatabaseUrl } from './database-url';
import type { Db } from './db';
import { Prisma as SqlitePrisma } from './generated/prisma/client';
import { PrismaClient, Prisma as PgPrisma } from './generated/prisma-pg/client';

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
type Scalars<TypeMap, M> = TypeMap extends { model: Record<string, unknown> }
  ? M extends keyof TypeMap['model'] ? TypeMap['model'][M] extends { payload: { scalars: infer S } } ? S : never : never
  : never;
/** Models whose rows differ between the two generated clients (none, unless one was generated from an older schema). */
type DifferingModels = {
  [M in SqlitePrisma.ModelName | PgPrisma.ModelName]: Same<Scalars<SqlitePrisma.TypeMap, M>, Scalars<PgPrisma.TypeMap, M>> extends true ? never : M
}[SqlitePrisma.ModelName | PgPrisma.ModelName];
// A compile error here names the model whose columns differ: run `npm run db:generate`.
const sameRows: [DifferingModels] extends [never] ? true : DifferingModels = true;
void sameRows;

export class DatabaseClientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseClientError';
  }
}

/** Model names and columns of a generated client, as its Prisma namespace lists them at run time. */
export function clientShape(ns: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(ns)
    .filter(([k]) => k === 'ModelName' || k.endsWith('ScalarFieldEnum'))
    .sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The run-time half of the check above (a stale server/generated/prisma-pg compiles only if tsc never saw it):
 * both clients must list the same models and columns.
 */
export function assertClientsMatch(sqliteNamespace: object = SqlitePrisma, postgresNamespace: object = PgPrisma): void {
  const sqlite = JSON.stringify(clientShape(sqliteNamespace));
  const postgres = JSON.stringify(clientShape(postgresNamespace));
  if (sqlite !== postgres) {
    throw new DatabaseClientError('the PostgreSQL Prisma client (server/generated/prisma-pg) was generated from a different '
      + 'schema than the SQLite one (server/generated/prisma): run `npm run db:generate`');
  }
}

export async function openPostgresDb(url: string): Promise<Db> {
  assertClientsMatch();
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  try {
    await db.$connect();
    await db.$queryRawUnsafe('SELECT 1');
  } catch (e) {
    await db.$disconnect().catch(() => undefined);
    throw new DatabaseClientError(`could not open PostgreSQL at ${describeDatabaseUrl(url)} (DATABASE_URL): ${(e as Error).message}`);
  }
  // Same models, columns and calls, generated from the same schema (checked above, in types and at run time); the
  // two generated class types differ only in provider extras (e.g. `mode: 'insensitive'`, isolation levels), which
  // TypeScript cannot prove compatible through Prisma's conditional types, hence the cast.
  return db as unknown as Db;
}
