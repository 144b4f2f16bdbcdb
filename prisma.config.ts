// Prisma CLI configuration (Prisma 7 keeps the datasource URL here, not in schema.prisma).
// The app itself applies migrations with prisma/migrate.ts; this file lets the official CLI
// (`prisma migrate deploy`, `prisma studio`) work on the same database where its engine is available.
import path from 'node:path';
import { defineConfig } from 'prisma/config';

const dataDir = path.resolve(process.env.DATA_DIR ?? 'data');

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations', seed: 'tsx prisma/seed.ts' },
  datasource: { url: process.env.DATABASE_URL ?? `file:${path.join(dataDir, 'stepflow.db')}` },
});
