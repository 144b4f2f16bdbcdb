// MOS (mean opinion score) from the ratings given in the window: per workflow, per workflow version, per checkpoint
// (a run with two checkpoints counts its ratings for each), and the lowest-rated images. Pure over rating rows.
import { artifactUrl } from '../artifacts/store';
import { AD_HOC_NAME } from './run-stats';
import { groupBy, meanWithCi } from './stats';

export interface RatingRow {
  score: number;
  artifactId: string;
  runId: string;
  updatedAt: Date;
  workflowId: string | null;
  workflowName: string | null;
  workflowVersion: number | null;
  checkpoints: string[];
}

interface Mos { mean: number; count: number; ci95: number | null }
export interface WorkflowMos extends Mos { workflowId: string | null; name: string }
/** `version` null: runs of an unsaved canvas (or of ad-hoc graphs). */
export interface VersionMos extends WorkflowMos { version: number | null }
export interface CheckpointMos extends Mos { checkpoint: string }
export interface RatedImage { artifactId: string; runId: string; url: string; workflowId: string | null; name: string; mean: number; count: number; ratedAt: string }

function mosOf(rows: readonly RatingRow[]): Mos {
  const s = meanWithCi(rows.map((r) => r.score));
  return { mean: s.mean!, count: s.count, ci95: s.ci95 };
}

const nameOf = (r: RatingRow) => (r.workflowId ? (r.workflowName ?? r.workflowId) : AD_HOC_NAME);
// Most rated first, then by name, then by id: the order is stable between refreshes.
const byCount = <T extends { count: number; name: string; workflowId: string | null }>(a: T, b: T) =>
  b.count - a.count || a.name.localeCompare(b.name) || String(a.workflowId).localeCompare(String(b.workflowId));

export function mosByWorkflow(rows: readonly RatingRow[]): WorkflowMos[] {
  return [...groupBy(rows, (r) => r.workflowId ?? '', (r) => ({ workflowId: r.workflowId, name: nameOf(r) })).values()]
    .map(({ label, items }) => ({ ...label, ...mosOf(items) }))
    .sort(byCount);
}

export function mosByVersion(rows: readonly RatingRow[]): VersionMos[] {
  return [...groupBy(rows, (r) => `${r.workflowId ?? ''}@${r.workflowVersion ?? ''}`, (r) => ({ workflowId: r.workflowId, name: nameOf(r), version: r.workflowVersion })).values()]
    .map(({ label, items }) => ({ ...label, ...mosOf(items) }))
    .sort((a, b) => byCount(a, b) || (b.version ?? 0) - (a.version ?? 0));
}

export function mosByCheckpoint(rows: readonly RatingRow[]): CheckpointMos[] {
  const each = rows.flatMap((r) => r.checkpoints.map((checkpoint) => ({ ...r, checkpoint })));
  return [...groupBy(each, (r) => r.checkpoint, (r) => r.checkpoint).values()]
    .map(({ label, items }) => ({ checkpoint: label, ...mosOf(items) }))
    .sort((a, b) => b.count - a.count || a.checkpoint.localeCompare(b.checkpoint));
}

/** The `limit` images with the lowest mean score; ties: the most recently rated first. */
export function lowestRated(rows: readonly RatingRow[], limit: number): RatedImage[] {
  return [...groupBy(rows, (r) => r.artifactId, (r) => r).values()]
    .map(({ label, items }) => ({
      artifactId: label.artifactId, runId: label.runId, url: artifactUrl(label.artifactId), workflowId: label.workflowId, name: nameOf(label),
      mean: items.reduce((a, r) => a + r.score, 0) / items.length, count: items.length,
      ratedAt: new Date(Math.max(...items.map((r) => r.updatedAt.getTime()))).toISOString(),
    }))
    .sort((a, b) => a.mean - b.mean || b.ratedAt.localeCompare(a.ratedAt) || a.artifactId.localeCompare(b.artifactId))
    .slice(0, limit);
}
