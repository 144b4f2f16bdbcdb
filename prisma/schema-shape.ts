// A migrated database's shape (tables, columns, keys, indexes, foreign keys) in one form for SQLite and PostgreSQL,
// so prisma/schema-lockstep.test.ts can require the two migration folders to arrive at the same schema.
import Database from 'better-sqlite3';
import pg from 'pg';

/** A column type as Prisma maps a schema type to each database (TEXT/text, REAL/double precision, …). */
export type TypeFamily = 'text' | 'int' | 'bigint' | 'float' | 'decimal' | 'bool' | 'datetime' | 'bytes' | 'json' | `unknown ${string}`;

export interface ColumnShape {
  type: TypeFamily;
  notNull: boolean;
  /** The default as written, without PostgreSQL's casts ('[]'::text → '[]'); null = none. */
  default: string | null;
}

export interface TableShape {
  columns: Record<string, ColumnShape>;
  primaryKey: string[];
  /** Keyed by index name: "unique (a, b)" or "(a, b)". The primary key's own index is left out. */
  indexes: Record<string, string>;
  /** "(from) -> Table(to) on delete X on update Y", sorted. */
  foreignKeys: string[];
}

export type SchemaShape = Record<string, TableShape>;

/** Prisma's bookkeeping, not the app's schema. */
const IGNORED_TABLES = new Set(['_prisma_migrations']);

const SQLITE_TYPES: Record<string, TypeFamily> = {
  TEXT: 'text', INTEGER: 'int', BIGINT: 'bigint', REAL: 'float', DECIMAL: 'decimal', BOOLEAN: 'bool', DATETIME: 'datetime', BLOB: 'bytes', JSONB: 'json',
};
const POSTGRES_TYPES: Record<string, TypeFamily> = {
  text: 'text', integer: 'int', bigint: 'bigint', 'double precision': 'float', numeric: 'decimal', boolean: 'bool', bytea: 'bytes', jsonb: 'json',
};

function normaliseDefault(value: string | null): string | null {
  if (value == null) return null;
  const bare = value.replace(/::[a-z ]+(\(\d+(,\d+)?\))?$/i, '').trim();
  return /^current_timestamp$/i.test(bare) ? 'CURRENT_TIMESTAMP' : bare;
}

const columnList = (cols: string[]) => `(${cols.join(', ')})`;
const ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

export function sqliteShape(file: string): SchemaShape {
  const db = new Database(file, { readonly: true });
  try {
    const shape: SchemaShape = {};
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[];
    for (const { name } of tables) {
      if (IGNORED_TABLES.has(name)) continue;
      const info = db.prepare(`PRAGMA table_info("${name}")`).all() as { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[];
      const columns = Object.fromEntries(info.map((c) => [c.name, {
        type: SQLITE_TYPES[c.type.toUpperCase()] ?? `unknown ${c.type}`, notNull: c.notnull === 1, default: normaliseDefault(c.dflt_value),
      } satisfies ColumnShape]));
      const primaryKey = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
      const indexes: Record<string, string> = {};
      for (const ix of db.prepare(`PRAGMA index_list("${name}")`).all() as { name: string; unique: number; origin: string }[]) {
        if (ix.origin === 'pk') continue;
        const cols = (db.prepare(`PRAGMA index_info("${ix.name}")`).all() as { seqno: number; name: string }[])
          .sort((a, b) => a.seqno - b.seqno).map((c) => c.name);
        indexes[ix.name] = `${ix.unique ? 'unique ' : ''}${columnList(cols)}`;
      }
      const fkRows = db.prepare(`PRAGMA foreign_key_list("${name}")`).all() as { id: number; seq: number; table: string; from: string; to: string; on_update: string; on_delete: string }[];
      const byId = new Map<number, typeof fkRows>();
      for (const r of fkRows.sort((a, b) => a.seq - b.seq)) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
      const foreignKeys = [...byId.values()].map((rows) => `${columnList(rows.map((r) => r.from))} -> ${rows[0].table}${columnList(rows.map((r) => r.to))} `
        + `on delete ${rows[0].on_delete} on update ${rows[0].on_update}`).sort();
      shape[name] = { columns, primaryKey, indexes, foreignKeys };
    }
    return shape;
  } finally {
    db.close();
  }
}

export async function postgresShape(url: string): Promise<SchemaShape> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const shape: SchemaShape = {};
    const { rows: cols } = await client.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null; datetime_precision: number | null }>(
      `SELECT table_name, column_name, data_type, is_nullable, column_default, datetime_precision FROM information_schema.columns
       WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`);
    for (const c of cols) {
      if (IGNORED_TABLES.has(c.table_name)) continue;
      // Prisma's DateTime is TIMESTAMP(3); any other precision is a different column.
      const type: TypeFamily = c.data_type === 'timestamp without time zone'
        ? (c.datetime_precision === 3 ? 'datetime' : `unknown timestamp(${c.datetime_precision})`)
        : POSTGRES_TYPES[c.data_type] ?? `unknown ${c.data_type}`;
      shape[c.table_name] ??= { columns: {}, primaryKey: [], indexes: {}, foreignKeys: [] };
      shape[c.table_name].columns[c.column_name] = { type, notNull: c.is_nullable === 'NO', default: normaliseDefault(c.column_default) };
    }
    const { rows: indexes } = await client.query<{ table: string; name: string; unique: boolean; primary: boolean; columns: string[] }>(
      `SELECT t.relname AS table, i.relname AS name, ix.indisunique AS unique, ix.indisprimary AS primary,
              array(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
       FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public'`);
    for (const ix of indexes) {
      const table = shape[ix.table];
      if (!table) continue;
      if (ix.primary) table.primaryKey = ix.columns;
      else table.indexes[ix.name] = `${ix.unique ? 'unique ' : ''}${columnList(ix.columns)}`;
    }
    const { rows: fks } = await client.query<{ table: string; ref_table: string; columns: string[]; ref_columns: string[]; on_delete: string; on_update: string }>(
      `SELECT t.relname AS table, r.relname AS ref_table, c.confdeltype AS on_delete, c.confupdtype AS on_update,
              array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
              array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS ref_columns
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace WHERE c.contype = 'f' AND n.nspname = 'public'`);
    for (const fk of fks) {
      shape[fk.table]?.foreignKeys.push(`${columnList(fk.columns)} -> ${fk.ref_table}${columnList(fk.ref_columns)} `
        + `on delete ${ACTIONS[fk.on_delete]} on update ${ACTIONS[fk.on_update]}`);
    }
    for (const t of Object.values(shape)) t.foreignKeys.sort();
    return shape;
  } finally {
    await client.end();
  }
}

/** Every difference between two shapes, one readable line each ("Workflow.extra: only in SQLite"); [] when equal. */
export function diffShapes(a: SchemaShape, b: SchemaShape, names: [string, string] = ['SQLite', 'PostgreSQL']): string[] {
  const out: string[] = [];
  const keys = (x: object, y: object) => [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
  const one = (where: string, x: unknown, y: unknown) => {
    if (x === undefined) out.push(`${where}: only in ${names[1]}`);
    else if (y === undefined) out.push(`${where}: only in ${names[0]}`);
    else if (JSON.stringify(x) !== JSON.stringify(y)) out.push(`${where}: ${names[0]} ${JSON.stringify(x)}, ${names[1]} ${JSON.stringify(y)}`);
  };
  for (const table of keys(a, b)) {
    const [ta, tb] = [a[table], b[table]];
    if (!ta || !tb) {
      one(table, ta, tb);
      continue;
    }
    for (const col of keys(ta.columns, tb.columns)) one(`${table}.${col}`, ta.columns[col], tb.columns[col]);
    one(`${table} primary key`, ta.primaryKey, tb.primaryKey);
    for (const ix of keys(ta.indexes, tb.indexes)) one(`${table} index ${ix}`, ta.indexes[ix], tb.indexes[ix]);
    const fks = [...new Set([...ta.foreignKeys, ...tb.foreignKeys])].sort();
    for (const fk of fks) one(`${table} foreign key ${fk}`, ta.foreignKeys.includes(fk) || undefined, tb.foreignKeys.includes(fk) || undefined);
  }
  return out;
}
