// Prisma CLI configuration (Prisma 7 keeps the datasource URL here, not in schema.prisma).
// The app itself applies migrations with prisma/migrate-database.ts; this file lets the official CLI
// (`prisma migrate deploy`, `prisma studio`) work on the same database where its engine is available.
// A PostgreSQL DATABASE_URL takes the generated PostgreSQL schema and prisma/migrations-postgres.
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { databaseKind } from './server/database-url';

const dataDir = path.resolve(process.env.DATA_DIR ?? 'data');
const url = process.env.DATABASE_URL || `file:${path.join(dataDir, 'stepflow.db')}`;
const postgres = databaseKind(url) === 'postgres';

export default defineConfig({
  schema: postgres ? 'prisma/generated/schema.postgres.prisma' : 'prisma/schema.prisma',
  migrations: { path: postgres ? 'prisma/migrations-postgres' : 'prisma/migrations', seed: 'tsx prisma/seed.ts' },
  datasource: { url },
});
