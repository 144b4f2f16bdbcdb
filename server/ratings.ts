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
  const raterKey = r.userId ? `user:${r.userId}` : 'local';
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
