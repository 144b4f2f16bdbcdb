// GET/HEAD /api/artifacts/<id>: serves a stored artifact image (PNG, JPEG or WebP by its bytes), immutable and cacheable by its hash.
import fs from 'node:fs';
import type http from 'node:http';
import { mayViewRun } from '../auth/access';
import { identifyRequest } from '../auth/api-token';
import type { Db } from '../db';
import { IMAGE_MIME, sniffImageFile, type ImageKind } from './image-kind';
import type { ArtifactStore } from './store';
import { percentDecode } from '../http/percent-decode';

export const ARTIFACTS_PREFIX = '/api/artifacts/';

function sendJson(res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify({ error: { code, message } }));
}

/**
 * With accounts on (`enforced`), an artifact is served only to who may view its run (session cookie, or
 * `Authorization: Bearer sf_…` for API clients); `?share=<token>` for link-shared workflows.
 */
export function createArtifactHandler(db: Db, store: ArtifactStore, enforced = false) {
  return async function handleArtifact(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendJson(res, 405, 'method_not_allowed', 'artifacts are read-only: use GET');
    }
    const parsedUrl = new URL(req.url ?? '/', 'http://localhost');
    const pathname = parsedUrl.pathname;
    // Ids need no escapes; a broken one (`%zz`) names no artifact rather than failing the request.
    const id = percentDecode(pathname.slice(ARTIFACTS_PREFIX.length)) ?? '';
    const artifact = id && !id.includes('/') ? await db.artifact.findUnique({ where: { id } }) : null;
    if (!artifact) return sendJson(res, 404, 'not_found', `no artifact "${id}"`);
    if (enforced) {
      const who = await identifyRequest(db, req.headers);
      if (who.kind === 'invalid_token') {
        return sendJson(res, 401, 'invalid_token', who.reason, { 'WWW-Authenticate': 'Bearer realm="StepFlow", error="invalid_token"' });
      }
      const run = await db.run.findUnique({ where: { id: artifact.runId }, select: { userId: true, workflowId: true } });
      const viewer = { enforced, user: who.kind === 'anonymous' ? null : who.user };
      // Same answer as an unknown id: ids of other people's outputs cannot be probed.
      if (!run || !(await mayViewRun(db, viewer, run, parsedUrl.searchParams.get('share') ?? undefined))) {
        return sendJson(res, 404, 'not_found', `no artifact "${id}"`);
      }
    }
    const file = store.absolute(artifact.path);
    let stat: fs.Stats;
    let kind: ImageKind | null;
    try {
      stat = await fs.promises.stat(file);
      kind = await sniffImageFile(file);
    } catch {
      return sendJson(res, 404, 'file_missing', `artifact "${id}" is recorded but its file ${artifact.path} is gone from the data directory`);
    }
    // The type comes from the file's own bytes, not the row's mime (what a worker claimed, before files were checked).
    if (!kind) return sendJson(res, 403, 'not_an_image', `artifact "${id}" is not a PNG, JPEG or WebP image, so it is not served`);
    const etag = `"${artifact.sha256}"`;
    const headers = {
      'Content-Type': IMAGE_MIME[kind],
      'X-Content-Type-Options': 'nosniff',
      ETag: etag,
      // Behind accounts a shared cache must not hand one user's file to another.
      'Cache-Control': `${enforced ? 'private' : 'public'}, max-age=31536000, immutable`,
      'Content-Disposition': `inline; filename="${artifact.filename.replace(/["\\\r\n]/g, '_')}"`,
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      return void res.end();
    }
    res.writeHead(200, { ...headers, 'Content-Length': stat.size });
    if (req.method === 'HEAD') return void res.end();
    fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
  };
}
