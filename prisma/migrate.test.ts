// The hand-written SQL must match schema.prisma exactly, and the runner must behave like Prisma Migrate.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { applyMigrations, listMigrations, MigrationError } from './migrate';

const here = path.dirname(new URL(import.meta.url).pathname);
const migrationsDir = path.join(here, 'migrations');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-migrate-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const SQL_TYPE: Record<string, string> = { String: 'TEXT', Int: 'INTEGER', Float: 'REAL', Boolean: 'BOOLEAN', DateTime: 'DATETIME' };

/** Models from schema.prisma: scalar columns (name, SQL type, not null, primary key) and index names. */
function schemaModels() {
  const text = fs.readFileSync(path.join(here, 'schema.prisma'), 'utf8');
  const models = new Map<string, { columns: [string, string, number, number][]; indexes: string[] }>();
  for (const m of text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const [, name, body] = m;
    const columns: [string, string, number, number][] = [];
    const indexes: string[] = [];
    for (const raw of body.split('\n')) {
      const line = raw.trim();
      const idx = line.match(/^@@(index|unique)\(\[([^\]]+)\]/);
      if (idx) {
        const cols = idx[2].split(',').map((c) => c.trim());
        indexes.push(`${name}_${cols.join('_')}_${idx[1] === 'unique' ? 'key' : 'idx'}`);
        continue;
      }
      const f = line.match(/^(\w+)\s+(\w+)(\?|\[\])?/);
      if (!f || line.startsWith('//') || !(f[2] in SQL_TYPE)) continue;
      columns.push([f[1], SQL_TYPE[f[2]], f[3] === '?' ? 0 : 1, /@id\b/.test(line) ? 1 : 0]);
    }
    models.set(name, { columns, indexes: indexes.sort() });
  }
  return models;
}

describe('migrations', () => {
  it('create exactly the tables, columns and indexes of schema.prisma', () => {
    const file = path.join(tmp, 'shape.db');
    applyMigrations(file, migrationsDir);
    const db = new Database(file, { readonly: true });
    const models = schemaModels();
    expect([...models.keys()].sort()).toEqual(['ApiToken', 'Artifact', 'LibrarySubgraph', 'LibrarySubgraphVersion', 'NodeResult', 'Rating', 'Run', 'Session', 'Upload', 'User', 'Workflow', 'WorkflowVersion', 'WorkflowVisit']);
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as { name: string }[])
      .map((t) => t.name).sort();
    expect(tables).toEqual(['_prisma_migrations', ...models.keys()].sort());
    for (const [name, model] of models) {
      const cols = (db.prepare(`PRAGMA table_info("${name}")`).all() as { name: string; type: string; notnull: number; pk: number }[])
        .map((c) => [c.name, c.type, c.notnull, c.pk]);
      expect(cols, name).toEqual(model.columns);
      const idx = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name NOT LIKE 'sqlite_%'`).all(name) as { name: string }[])
        .map((i) => i.name).sort();
      expect(idx, name).toEqual(model.indexes);
    }
    db.close();
  });

  it('records each migration like Prisma (checksum = sha256 of the file) and applies it once', () => {
    const file = path.join(tmp, 'twice.db');
    const first = applyMigrations(file, migrationsDir);
    expect(first.applied).toEqual(listMigrations(migrationsDir));
    expect(applyMigrations(file, migrationsDir)).toEqual({ applied: [], alreadyApplied: first.applied });
    const db = new Database(file, { readonly: true });
    const rows = db.prepare('SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at FROM _prisma_migrations').all();
    db.close();
    const sha = (name: string) => crypto.createHash('sha256').update(fs.readFileSync(path.join(migrationsDir, name, 'migration.sql'))).digest('hex');
    expect(rows).toEqual(first.applied.map((name) => (
      { migration_name: name, checksum: sha(name), finished_at: expect.any(Number), applied_steps_count: 1, rolled_back_at: null })));
  });

  it('rolls a failing migration back, records it as rolled back, and keeps earlier ones', () => {
    const dir = path.join(tmp, 'broken-migrations');
    fs.cpSync(migrationsDir, dir, { recursive: true });
    fs.mkdirSync(path.join(dir, '29990101000000_broken'));
    fs.writeFileSync(path.join(dir, '29990101000000_broken', 'migration.sql'), 'CREATE TABLE "Extra" ("id" TEXT);\nALTER TABLE "Nope" ADD COLUMN "x" TEXT;\n');
    const file = path.join(tmp, 'broken.db');
    expect(() => applyMigrations(file, dir)).toThrow(MigrationError);
    const db = new Database(file, { readonly: true });
    const extra = db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'Extra'`).get() as { n: number };
    const broken = db.prepare(`SELECT rolled_back_at, logs FROM _prisma_migrations WHERE migration_name = '29990101000000_broken'`).get() as { rolled_back_at: number; logs: string };
    const ok = db.prepare(`SELECT count(*) AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL`).get() as { n: number };
    db.close();
    expect(extra.n).toBe(0);
    expect(broken.rolled_back_at).toEqual(expect.any(Number));
    expect(broken.logs).toMatch(/no such table: Nope/);
    expect(ok.n).toBe(listMigrations(migrationsDir).length);
  });
});
