// Writes NodeResult rows in groups (TurnBatcher): a batch of 16 runs finishes its text encoders, samplers and decoders
// within the same few milliseconds, and its rows go out in one upsert.
import { randomUUID } from 'node:crypto';
import { Prisma } from '../generated/prisma/client';
import type { Db } from '../db';
import { TurnBatcher } from './turn-batcher';

export interface NodeResultRow {
  runId: string;
  nodeId: string;
  type: string;
  status: string;
  ms: number;
  ortMs: number;
  cached: boolean;
  /** JSON OutputSummary[]: present on node:finished rows; a row without it keeps what was stored. */
  outputs?: string;
  /** JSON BatchOutcome (null: none); written with `outputs`. */
  batch?: string | null;
  /** JSON RunWarning[] (null: none); written with `outputs`. */
  warnings?: string | null;
}

export class NodeResultWriter {
  /** Rows with outputs (node:finished) and without (a run's end fills in the rest) take different statements. */
  private readonly full: TurnBatcher<NodeResultRow>;
  private readonly partial: TurnBatcher<NodeResultRow>;

  constructor(db: Pick<Db, '$executeRaw'>) {
    this.full = new TurnBatcher(async (rows) => void (await db.$executeRaw(upsertSql(latestPerNode(rows), true))));
    this.partial = new TurnBatcher(async (rows) => void (await db.$executeRaw(upsertSql(latestPerNode(rows), false))));
  }

  /** Resolves once the row is stored (inserted, or updated where the run already has one for that node). */
  write(row: NodeResultRow): Promise<void> {
    return (row.outputs === undefined ? this.partial : this.full).add(row);
  }
}

/** One statement must not name a row twice (PostgreSQL refuses ON CONFLICT hitting the same row twice): last wins. */
function latestPerNode(rows: NodeResultRow[]): NodeResultRow[] {
  return [...new Map(rows.map((r) => [`${r.runId}\u0000${r.nodeId}`, r])).values()];
}

/**
 * INSERT … ON CONFLICT DO UPDATE, the same text on SQLite (3.24+) and PostgreSQL. `cached` goes in as 0/1 and is
 * turned into a boolean by SQL: the SQLite driver cannot bind a JavaScript boolean, PostgreSQL's column is boolean.
 */
function upsertSql(rows: NodeResultRow[], full: boolean): Prisma.Sql {
  const values = rows.map((r) => {
    const common = Prisma.sql`${randomUUID()}, ${r.runId}, ${r.nodeId}, ${r.type}, ${r.status}, ${r.ms}, ${r.ortMs}, (${r.cached ? 1 : 0} <> 0)`;
    return full ? Prisma.sql`(${common}, ${r.outputs ?? '[]'}, ${r.batch ?? null}, ${r.warnings ?? null})` : Prisma.sql`(${common})`;
  });
  const columns = full
    ? Prisma.raw('("id", "runId", "nodeId", "type", "status", "ms", "ortMs", "cached", "outputs", "batch", "warnings")')
    : Prisma.raw('("id", "runId", "nodeId", "type", "status", "ms", "ortMs", "cached")');
  const updates = full
    ? Prisma.raw('"type" = excluded."type", "status" = excluded."status", "ms" = excluded."ms", "ortMs" = excluded."ortMs", "cached" = excluded."cached", "outputs" = excluded."outputs", "batch" = excluded."batch", "warnings" = excluded."warnings"')
    : Prisma.raw('"type" = excluded."type", "status" = excluded."status", "ms" = excluded."ms", "ortMs" = excluded."ortMs", "cached" = excluded."cached"');
  return Prisma.sql`INSERT INTO "NodeResult" ${columns} VALUES ${Prisma.join(values)} ON CONFLICT ("runId", "nodeId") DO UPDATE SET ${updates}`;
}
