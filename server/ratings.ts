// Ratings (MOS): anyone who may view a run rates its output images 1–5, once per image (a second rating replaces
// the first). With accounts the rater is the signed-in user; AUTH=none's single user rates as `local`.
import type { Db } from './db';
import type { Metrics } from './metrics/metrics';

export class RatingError extends Error {
  constructor(readonly code: 'no_output' | 'not_an_output', message: string) {
    super(message);
    this.name = 'RatingError';
  }
}

export interface RateRequest {
  runId: string;
  /** Which output; default the run's first output image. */
  artifactId?: string;
  score: 1 | 2 | 3 | 4 | 5;
  /** null with AUTH=none. */
  userId: string | null;
}

export interface Rated {
  runId: string;
  artifactId: string;
  score: number;
  /** This image's ratings so far, everybody's. */
  mean: number;
  count: number;
}

export async function rateOutput(db: Db, r: RateRequest, metrics?: Metrics): Promise<Rated> {
  const outputs = await db.artifact.findMany({
    where: { runId: r.runId, kind: 'image' }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { id: true },
  });
  if (!outputs.length) throw new RatingError('no_output', `run "${r.runId}" has no output image to rate`);
  const artifactId = r.artifactId ?? outputs[0].id;
  if (!outputs.some((o) => o.id === artifactId)) {
    throw new RatingError('not_an_output', `artifact "${artifactId}" is not an output image of run "${r.runId}"`);
  }
  const raterKey = raterKeyOf(r.userId);
  await db.rating.upsert({
    where: { artifactId_raterKey: { artifactId, raterKey } },
    create: { runId: r.runId, artifactId, userId: r.userId, raterKey, score: r.score },
    update: { score: r.score },
  });
  const run = await db.run.findUnique({ where: { id: r.runId }, select: { workflowId: true } });
  metrics?.rated(run?.workflowId ?? null, r.score);
  const all = await db.rating.aggregate({ where: { artifactId }, _avg: { score: true }, _count: true });
  return { runId: r.runId, artifactId, score: r.score, mean: all._avg.score ?? r.score, count: all._count };
}

/** Who a rating is from: a user, or AUTH=none's single user. */
export function raterKeyOf(userId: string | null): string {
  return userId ? `user:${userId}` : 'local';
}

/**
 * The scores one rater gave the output images of some runs (artifact id → score), so the rating widgets show the
 * stored value after a reload. `raterKey` null (a visitor who is not signed in, with accounts): none.
 */
export async function ratingsBy(db: Db, raterKey: string | null, runIds: readonly string[]): Promise<Map<string, number>> {
  if (!raterKey || !runIds.length) return new Map();
  const rows = await db.rating.findMany({ where: { raterKey, runId: { in: [...runIds] } }, select: { artifactId: true, score: true } });
  return new Map(rows.map((r) => [r.artifactId, r.score]));
}
