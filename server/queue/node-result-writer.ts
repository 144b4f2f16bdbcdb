// Writes NodeResult rows in groups: rows that arrive while a write is in flight go out together, one statement each
// group. A batch of 16 runs finishes its text encoders, samplers and decoders within the same few milliseconds;
// one upsert per row made the web process's database work grow with the batch while the worker's did not.
import { randomUUID } from 'node:crypto';
import { Prisma } from '../generated/prisma/client';
import type { Db } from '../db';

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

interface Pending {
  row: NodeResultRow;
  resolve(): void;
  reject(e: unknown): void;
}

export class NodeResultWriter {
  private pending: Pending[] = [];
  private running = false;

  constructor(private readonly db: Pick<Db, '$executeRaw'>) {}

  /** Resolves once the row is stored (inserted, or updated where the run already has one for that node). */
  write(row: NodeResultRow): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      // The next turn, not now: node:finished messages that came in one read of the worker's pipe join this group.
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const group = this.pending;
      this.pending = [];
      const full = group.filter((p) => p.row.outputs !== undefined);
      const partial = group.filter((p) => p.row.outputs === undefined);
      await Promise.all([this.settle(full, true), this.settle(partial, false)]);
    }
    this.running = false;
  }

  private async settle(group: Pending[], full: boolean): Promise<void> {
    if (group.length === 0) return;
    try {
      await this.db.$executeRaw(upsertSql(latestPerNode(group.map((p) => p.row)), full));
      for (const p of group) p.resolve();
    } catch (e) {
      for (const p of group) p.reject(e);
    }
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
