// One retention sweep over the database and DATA_DIR: old finished runs (rows and artifacts), artifacts beyond the
// output byte cap (oldest finished runs first), old unused uploads; then the files no row references any more.
// Never touched: unfinished runs, artifacts a workflow shows as its card, uploads a saved workflow version uses.
import fs from 'node:fs';
import path from 'node:path';
import type { ArtifactStore } from '../artifacts/store';
import type { Db } from '../db';
import { inputsDir, UPLOAD_NAME } from '../inputs/uploads';
import { DAY_MS, FINISHED_RUN_STATES, type RetentionPolicy } from './policy';

export interface SweepReport {
  runs: string[];
  artifacts: string[];
  uploads: string[];
  /** Files removed from disk (artifact contents nobody references, upload files) and their bytes. */
  files: number;
  bytes: number;
}

/** SQLite caps bound variables per statement; ids go in slices well below it. */
const CHUNK = 500;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

export async function sweepRetention(db: Db, store: ArtifactStore, policy: RetentionPolicy, now = Date.now()): Promise<SweepReport> {
  const report: SweepReport = { runs: [], artifacts: [], uploads: [], files: 0, bytes: 0 };
  const keep = await cardArtifactIds(db);
  /** sha256 → path of artifact contents whose rows were deleted; removed once no row uses them. */
  const released = new Map<string, string>();
  if (policy.runDays > 0) await expireRuns(db, new Date(now - policy.runDays * DAY_MS), keep, released, report);
  if (policy.outputBytes > 0) await capOutputs(db, policy.outputBytes, keep, released, report);
  await removeUnreferenced(db, store, released, report);
  if (policy.uploadDays > 0) await expireUploads(db, store, new Date(now - policy.uploadDays * DAY_MS), report);
  return report;
}

/** Artifacts shown as a workflow's library card (thumbnail, or the output standing in for one). */
async function cardArtifactIds(db: Db): Promise<Set<string>> {
  const rows = await db.workflow.findMany({
    where: { OR: [{ thumbnailArtifactId: { not: null } }, { lastOutputArtifactId: { not: null } }] },
    select: { thumbnailArtifactId: true, lastOutputArtifactId: true },
  });
  return new Set(rows.flatMap((w) => [w.thumbnailArtifactId, w.lastOutputArtifactId]).filter((id): id is string => !!id));
}

/** Finished runs older than the cutoff, except those holding a workflow's card, go with their rows. */
async function expireRuns(db: Db, cutoff: Date, keep: Set<string>, released: Map<string, string>, report: SweepReport): Promise<void> {
  const runs = await db.run.findMany({
    where: {
      status: { in: FINISHED_RUN_STATES },
      OR: [{ finishedAt: { lt: cutoff } }, { finishedAt: null, queuedAt: { lt: cutoff } }],
      artifacts: { none: { id: { in: [...keep] } } },
    },
    select: { id: true },
  });
  for (const ids of chunks(runs.map((r) => r.id))) {
    const artifacts = await db.artifact.findMany({ where: { runId: { in: ids } }, select: { id: true, sha256: true, path: true } });
    await db.$transaction([
      db.artifact.deleteMany({ where: { runId: { in: ids } } }),
      db.nodeResult.deleteMany({ where: { runId: { in: ids } } }),
      db.run.deleteMany({ where: { id: { in: ids }, status: { in: FINISHED_RUN_STATES } } }),
    ]);
    for (const a of artifacts) {
      released.set(a.sha256, a.path);
      report.artifacts.push(a.id);
    }
    report.runs.push(...ids);
  }
}

/**
 * Total bytes = distinct contents (rows sharing a file count once). Over the cap, whole runs' artifacts go, oldest
 * finished run first, until under it; the runs themselves stay (history without pictures).
 */
async function capOutputs(db: Db, capBytes: number, keep: Set<string>, released: Map<string, string>, report: SweepReport): Promise<void> {
  const rows = await db.artifact.findMany({
    select: { id: true, runId: true, sha256: true, size: true, path: true, run: { select: { status: true, finishedAt: true, queuedAt: true } } },
  });
  const users = new Map<string, number>();
  const size = new Map<string, number>();
  for (const r of rows) {
    users.set(r.sha256, (users.get(r.sha256) ?? 0) + 1);
    size.set(r.sha256, r.size);
  }
  let total = [...size.values()].reduce((a, b) => a + b, 0);
  if (total <= capBytes) return;
  const byRun = new Map<string, { at: number; rows: typeof rows }>();
  for (const r of rows) {
    if (keep.has(r.id) || !FINISHED_RUN_STATES.includes(r.run.status)) continue;
    const group = byRun.get(r.runId) ?? { at: (r.run.finishedAt ?? r.run.queuedAt).getTime(), rows: [] };
    group.rows.push(r);
    byRun.set(r.runId, group);
  }
  const oldestFirst = [...byRun.entries()].sort(([a, x], [b, y]) => x.at - y.at || a.localeCompare(b));
  const doomed: string[] = [];
  for (const [, group] of oldestFirst) {
    if (total <= capBytes) break;
    for (const r of group.rows) {
      doomed.push(r.id);
      released.set(r.sha256, r.path);
      const left = users.get(r.sha256)! - 1;
      users.set(r.sha256, left);
      if (left === 0) total -= r.size;
    }
  }
  for (const ids of chunks(doomed)) await db.artifact.deleteMany({ where: { id: { in: ids } } });
  report.artifacts.push(...doomed);
}

/** Artifact files are content-addressed and shared: a file goes only when no row points at its content. */
async function removeUnreferenced(db: Db, store: ArtifactStore, released: Map<string, string>, report: SweepReport): Promise<void> {
  for (const shas of chunks([...released.keys()])) {
    const used = await db.artifact.findMany({ where: { sha256: { in: shas } }, select: { sha256: true }, distinct: ['sha256'] });
    const stillUsed = new Set(used.map((u) => u.sha256));
    for (const sha of shas) {
      if (!stillUsed.has(sha)) await removeFile(store.absolute(released.get(sha)!), report);
    }
  }
}

async function expireUploads(db: Db, store: ArtifactStore, cutoff: Date, report: SweepReport): Promise<void> {
  // One file may have a row per uploader (same content, several owners): it goes only when every row is old.
  const old = await db.upload.findMany({ where: { createdAt: { lt: cutoff } }, select: { name: true }, distinct: ['name'] });
  for (const { name } of old) {
    // Names are hex hashes: a plain substring test over graph JSON finds every use.
    if (!UPLOAD_NAME.test(name)) continue;
    if (await db.upload.findFirst({ where: { name, createdAt: { gte: cutoff } }, select: { id: true } })) continue;
    const inVersion = await db.workflowVersion.findFirst({ where: { graph: { contains: name } }, select: { id: true } });
    const inRun = inVersion ?? await db.run.findFirst({ where: { status: { notIn: FINISHED_RUN_STATES }, graph: { contains: name } }, select: { id: true } });
    if (inRun) continue;
    await db.upload.deleteMany({ where: { name } });
    await removeFile(path.join(inputsDir(store.dataDir), name), report);
    report.uploads.push(name);
  }
}

async function removeFile(file: string, report: SweepReport): Promise<void> {
  const stat = await fs.promises.stat(file).catch(() => undefined);
  if (!stat) return;
  await fs.promises.rm(file, { force: true });
  report.files++;
  report.bytes += stat.size;
}
