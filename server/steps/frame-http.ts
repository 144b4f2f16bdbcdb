// GET/HEAD /api/steps/<runId>/<offset>/<x0|latent>.png: a stored sampler step drawn on request (latentToRgb, 8 px
// per latent cell, PNG: the live view's encoder), for the debugger's timeline. Samplers no longer encode a picture per step; this one is made
// only when someone scrubs to it. Who may see it: whoever may view the run (as for its artifacts).
import type http from 'node:http';
import { encodeLatentPreview } from '../../nodes/models/latent-preview';
import { mayViewRun } from '../auth/access';
import { identifyRequest } from '../auth/api-token';
import type { Db } from '../db';
import { isStepRunId, type StepStore } from './step-store';

export const STEP_FRAMES_PREFIX = '/api/steps/';

export type StepFrameKind = 'x0' | 'latent';

export function stepFrameUrl(runId: string, offset: number, kind: StepFrameKind): string {
  return `${STEP_FRAMES_PREFIX}${encodeURIComponent(runId)}/${offset}/${kind}.png`;
}

function sendJson(res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify({ error: { code, message } }));
}

/** With accounts on (`enforced`), the run's viewers only (session cookie or API token; `?share=` for link-shared workflows). */
export function createStepFrameHandler(db: Db, steps: StepStore, enforced = false) {
  return async function handleStepFrame(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendJson(res, 405, 'method_not_allowed', 'step frames are read-only: use GET');
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = /^([A-Za-z0-9_-]+)\/(\d{1,15})\/(x0|latent)\.png$/.exec(url.pathname.slice(STEP_FRAMES_PREFIX.length));
    const notFound = () => sendJson(res, 404, 'not_found', `no stored step at ${url.pathname}`);
    if (!m || !isStepRunId(m[1])) return notFound();
    const [, runId, at, kind] = m;
    if (enforced) {
      const who = await identifyRequest(db, req.headers);
      if (who.kind === 'invalid_token') {
        return sendJson(res, 401, 'invalid_token', who.reason, { 'WWW-Authenticate': 'Bearer realm="StepFlow", error="invalid_token"' });
      }
      const run = await db.run.findUnique({ where: { id: runId }, select: { userId: true, workflowId: true } });
      const viewer = { enforced, user: who.kind === 'anonymous' ? null : who.user };
      // Same answer as an unknown step: other people's runs cannot be probed.
      if (!run || !(await mayViewRun(db, viewer, run, url.searchParams.get('share') ?? undefined))) return notFound();
    }
    const record = await steps.read(runId, Number(at));
    const latent = kind === 'x0' ? record?.x0 : record?.latent;
    if (!record || !latent) return notFound();
    const [c, h, w] = record.info.dims;
    const etag = `"${runId}-${at}-${kind}"`;
    const headers = {
      'Content-Type': 'image/png',
      'X-Content-Type-Options': 'nosniff',
      ETag: etag,
      // A record never changes where it starts (the file is append-only); behind accounts no shared cache keeps it.
      'Cache-Control': `${enforced ? 'private' : 'public'}, max-age=31536000, immutable`,
      'Content-Disposition': `inline; filename="${record.info.nodeId.replace(/[^\w.-]/g, '_')}-${kind}-step-${record.info.step}.png"`,
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      return void res.end();
    }
    const png = encodeLatentPreview({ data: latent, dims: [1, c, h, w] }, record.info.latentRgb);
    res.writeHead(200, { ...headers, 'Content-Length': png.bytes.byteLength });
    res.end(req.method === 'HEAD' ? undefined : png.bytes);
  };
}
