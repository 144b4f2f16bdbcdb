// Derives the PostgreSQL variant of schema.prisma (prisma/generated/schema.postgres.prisma): schema.prisma stays the
// one source; only the datasource provider and the client's output folder differ. `npm run db:generate` writes it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const prismaDir = path.dirname(fileURLToPath(import.meta.url));
export const schemaFile = path.join(prismaDir, 'schema.prisma');
export const postgresSchemaFile = path.join(prismaDir, 'generated', 'schema.postgres.prisma');

const HEADER = '// GENERATED from prisma/schema.prisma by prisma/postgres-schema.ts (npm run db:generate). Do not edit: edit schema.prisma.\n';

export class SchemaVariantError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'SchemaVariantError';
  }
}

/** Replaces exactly one occurrence, so a reshaped schema.prisma fails loudly instead of producing a wrong variant. */
function replaceOnce(text: string, from: RegExp, to: string, what: string): string {
  const hits = text.match(new RegExp(from.source, 'gm'))?.length ?? 0;
  if (hits !== 1) {
    throw new SchemaVariantError(schemaFile, `expected exactly one ${what} (matching ${from}), found ${hits}; update prisma/postgres-schema.ts`);
  }
  return text.replace(new RegExp(from.source, 'm'), to);
}

/** The PostgreSQL schema text for a SQLite schema.prisma text. */
export function postgresSchema(sqliteSchema: string): string {
  let text = replaceOnce(sqliteSchema, /^(\s*provider\s*=\s*)"sqlite"/, '$1"postgresql"', 'datasource provider "sqlite"');
  // The output path is relative to the schema file, which sits one folder deeper (prisma/generated/).
  text = replaceOnce(text, /^(\s*output\s*=\s*)"\.\.\/server\/generated\/prisma"/, '$1"../../server/generated/prisma-pg"', 'client output "../server/generated/prisma"');
  return HEADER + text;
}

export function writePostgresSchema(): string {
  const text = postgresSchema(fs.readFileSync(schemaFile, 'utf8'));
  fs.mkdirSync(path.dirname(postgresSchemaFile), { recursive: true });
  fs.writeFileSync(postgresSchemaFile, text);
  return postgresSchemaFile;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`[schema] wrote ${path.relative(process.cwd(), writePostgresSchema())}`);
}
