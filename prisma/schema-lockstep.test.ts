// prisma/migrations (SQLite) and prisma/migrations-postgres must arrive at the same schema, and the PostgreSQL
// client must be generated from the current schema.prisma: a change made for one database only fails here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertClientsMatch } from '../server/db-postgres';
import { projectRoot } from '../server/paths';
import { createTestDatabase, type TestDatabase } from '../server/testing/postgres';
import { applyMigrations } from './migrate';
import { applyPostgresMigrations } from './migrate-postgres';
import { postgresSchema, postgresSchemaFile, schemaFile, SchemaVariantError } from './postgres-schema';
import { diffShapes, postgresShape, sqliteShape, type SchemaShape } from './schema-shape';

const here = path.dirname(new URL(import.meta.url).pathname);
const sqliteDir = path.join(here, 'migrations');
const postgresDir = path.join(here, 'migrations-postgres');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-lockstep-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const MODELS = ['ApiToken', 'Artifact', 'LibrarySubgraph', 'LibrarySubgraphVersion', 'NodeResult', 'Rating', 'Run', 'Session', 'Upload', 'User', 'Workflow', 'WorkflowVersion', 'WorkflowVisit'];

function migratedSqlite(name: string, dir = sqliteDir): SchemaShape {
  const file = path.join(tmp, `${name}.db`);
  applyMigrations(file, dir);
  return sqliteShape(file);
}


describe('SQLite and PostgreSQL migrations in lock-step', () => {
  let database: TestDatabase;
  let postgres: SchemaShape;
  beforeAll(async () => {
    database = await createTestDatabase();
    await applyPostgresMigrations(database.url, postgresDir);
    postgres = await postgresShape(database.url);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('give the same tables, columns, types, defaults, keys, indexes and foreign keys', () => {
    const sqlite = migratedSqlite('lockstep');
    expect(Object.keys(sqlite).sort()).toEqual(MODELS);
    expect(diffShapes(sqlite, postgres)).toEqual([]);
    // Spot checks that the comparison sees what it claims to (a shape of empty tables would also be "equal").
    expect(postgres.Run.columns.totalMs).toEqual({ type: 'float', notNull: false, default: null });
    expect(postgres.Workflow.columns.tags).toEqual({ type: 'text', notNull: true, default: "'[]'" });
    expect(postgres.Session.columns.createdAt).toEqual({ type: 'datetime', notNull: true, default: 'CURRENT_TIMESTAMP' });
    expect(postgres.Upload.primaryKey).toEqual(['id']);
    expect(postgres.Upload.indexes).toEqual({ Upload_name_userId_key: 'unique (name, userId)', Upload_userId_createdAt_idx: '(userId, createdAt)' });
    expect(postgres.Workflow.foreignKeys).toEqual(['(ownerId) -> User(id) on delete SET NULL on update CASCADE']);
    expect(postgres.WorkflowVisit.foreignKeys).toEqual([
      '(userId) -> User(id) on delete CASCADE on update CASCADE',
      '(workflowId) -> Workflow(id) on delete CASCADE on update CASCADE',
    ]);
  });

  it('fails when a column is added to the SQLite migrations only', () => {
    const dir = path.join(tmp, 'sqlite-only');
    fs.cpSync(sqliteDir, dir, { recursive: true });
    fs.mkdirSync(path.join(dir, '29990101000000_extra'));
    fs.writeFileSync(path.join(dir, '29990101000000_extra', 'migration.sql'),
      'ALTER TABLE "Workflow" ADD COLUMN "pinned" BOOLEAN NOT NULL DEFAULT false;\nCREATE INDEX "Run_workerId_idx" ON "Run"("workerId");\n');
    expect(diffShapes(migratedSqlite('sqlite-only', dir), postgres)).toEqual([
      'Run index Run_workerId_idx: only in SQLite',
      'Workflow.pinned: only in SQLite',
    ]);
  });

  it('tells a type, nullability or ON DELETE difference apart', () => {
    const changed: SchemaShape = structuredClone(postgres);
    changed.Artifact.columns.size = { type: 'bigint', notNull: true, default: null };
    changed.Run.columns.errorCode.notNull = true;
    changed.Run.foreignKeys = changed.Run.foreignKeys.map((fk) => fk.replace('on delete SET NULL', 'on delete CASCADE'));
    const diff = diffShapes(postgres, changed, ['before', 'after']);
    expect(diff).toContain('Artifact.size: before {"type":"int","notNull":true,"default":null}, after {"type":"bigint","notNull":true,"default":null}');
    expect(diff).toContain('Run.errorCode: before {"type":"text","notNull":false,"default":null}, after {"type":"text","notNull":true,"default":null}');
    expect(diff).toContain('Run foreign key (userId) -> User(id) on delete SET NULL on update CASCADE: only in before');
    expect(diff).toHaveLength(6);
  });
});

describe('the PostgreSQL schema and client', () => {
  const inlineSchema = (client: string) => {
    const text = fs.readFileSync(path.join(projectRoot, 'server', 'generated', client, 'internal', 'class.ts'), 'utf8');
    const m = text.match(/"inlineSchema": ("(?:[^"\\]|\\.)*")/);
    if (!m) throw new Error(`no inlineSchema in server/generated/${client}/internal/class.ts`);
    return JSON.parse(m[1]) as string;
  };

  it('was generated from the schema the SQLite client was generated from (run npm run db:generate after editing schema.prisma)', () => {
    expect(inlineSchema('prisma-pg')).toBe(postgresSchema(inlineSchema('prisma')));
    expect(() => assertClientsMatch()).not.toThrow();
  });

  it('prisma/generated/schema.postgres.prisma is schema.prisma with the PostgreSQL provider and the prisma-pg output', () => {
    const expected = postgresSchema(fs.readFileSync(schemaFile, 'utf8'));
    expect(fs.readFileSync(postgresSchemaFile, 'utf8')).toBe(expected);
    expect(expected).toMatch(/datasource db \{\n {2}provider = "postgresql"\n\}/);
    expect(expected).toContain('output       = "../../server/generated/prisma-pg"');
    expect(expected).not.toContain('sqlite"');
  });

  it('refuses a schema.prisma it does not know how to convert, naming the file', () => {
    expect(() => postgresSchema('datasource db {\n  provider = "mysql"\n}\n')).toThrow(SchemaVariantError);
    expect(() => postgresSchema('datasource db {\n  provider = "mysql"\n}\n')).toThrow(/schema\.prisma: expected exactly one datasource provider "sqlite"/);
  });
});
