// POST /api/runs/<id>/rating {"score": 1-5, "artifactId"?: "…"} with a bearer API token: rates one of the run's
// output images (its first by default) for whoever owns the token; rating again replaces it.
import type http from 'node:http';
import { mayViewRun } from '../auth/access';
import { rateOutput, RatingError } from '../ratings';
import type { Services } from '../services';
import { apiViewer, readJsonBody } from './request';
import { ApiError, sendJson } from './respond';
import type { ApiRoute } from './workflow-runs';

export async function postRunRating(services: Services, req: http.IncomingMessage, res: http.ServerResponse, route: ApiRoute): Promise<void> {
  const viewer = await apiViewer(services, req, { tokenOnly: true, anonymous: false });
  const share = route.query.get('share') ?? undefined;
  const run = await services.db.run.findUnique({ where: { id: route.id } });
  if (!run || !(await mayViewRun(services.db, viewer, run, share))) {
    throw new ApiError(404, 'not_found', `no run "${route.id}" (or it is not yours to see)`);
  }
  const body = await readJsonBody(req, res, services.env.MAX_BODY_BYTES) as { score?: unknown; artifactId?: unknown };
  const score = body.score;
  if (typeof score !== 'number' || !Number.isInteger(score) || score < 1 || score > 5) {
    throw new ApiError(400, 'invalid_score', `score must be a whole number from 1 to 5 (got ${JSON.stringify(score) ?? 'nothing'})`);
  }
  if (body.artifactId !== undefined && typeof body.artifactId !== 'string') {
    throw new ApiError(400, 'invalid_artifact', 'artifactId must be a string (an output image id from GET /api/runs/<id>)');
  }
  try {
    sendJson(res, 200, await rateOutput(services.db, {
      runId: run.id, artifactId: body.artifactId, score: score as 1 | 2 | 3 | 4 | 5, userId: viewer.user?.id ?? null,
    }, services.metrics));
  } catch (e) {
    if (e instanceof RatingError) throw new ApiError(400, e.code, e.message);
    throw e;
  }
}
