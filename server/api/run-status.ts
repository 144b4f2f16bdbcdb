// GET /api/runs/<id>: a run's status, timings, error and output images with absolute download URLs.
import type http from 'node:http';
import { artifactUrl } from '../artifacts/store';
import { mayViewRun } from '../auth/access';
import type { Services } from '../services';
import { apiViewer } from './request';
import { ApiError, requestOrigin, sendJson } from './respond';
import type { ApiRoute } from './workflow-runs';

export async function getRunStatus(services: Services, req: http.IncomingMessage, res: http.ServerResponse, route: ApiRoute): Promise<void> {
  const viewer = await apiViewer(services, req, { tokenOnly: false, anonymous: true });
  const share = route.query.get('share') ?? undefined;
  const run = await services.db.run.findUnique({
    where: { id: route.id },
    include: { artifacts: { where: { kind: 'image' }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } },
  });
  // Not yours and unknown answer alike, so run ids cannot be probed.
  if (!run || !(await mayViewRun(services.db, viewer, run, share))) {
    throw new ApiError(404, 'not_found', `no run "${route.id}" (or it is not yours to see)`);
  }
  // A paused run is only known to the queue (the row says running).
  const live = await services.queue.snapshot(run.id);
  const origin = requestOrigin(req);
  // Outputs of a link-shared workflow's run need the same token to download.
  const suffix = share ? `?share=${encodeURIComponent(share)}` : '';
  sendJson(res, 200, {
    id: run.id,
    workflowId: run.workflowId,
    workflowVersion: run.workflowVersion,
    status: live?.status ?? run.status,
    queuedAt: run.queuedAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    position: services.queue.positionOf(run.id) ?? null,
    error: run.errorCode ? { code: run.errorCode, message: run.errorMessage ?? '', nodeId: run.errorNodeId ?? null } : null,
    outputs: run.artifacts.map((a) => ({
      nodeId: a.nodeId, filename: a.filename, mime: a.mime, width: a.width, height: a.height,
      url: `${origin}${artifactUrl(a.id)}${suffix}`,
    })),
  });
}
