// GET /api/health: liveness for anyone ({ ok }); the workers and the runs they hold only for an admin.
import type http from 'node:http';
import { identifyRequest } from '../auth/api-token';
import type { Db } from '../db';

export const HEALTH_PATH = '/api/health';

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * Worker names, addresses and run ids tell a stranger what runs here and when: with accounts on (`enforced`) they
 * go only to an admin (session cookie or API token). AUTH=none has one trusted user, who is the admin and sees them.
 */
export function createHealthHandler(db: Db, workers: () => Promise<unknown[]>, enforced: boolean) {
  return async function handleHealth(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let admin = !enforced;
    if (enforced) {
      const who = await identifyRequest(db, req.headers);
      if (who.kind === 'invalid_token') {
        return sendJson(res, 401, { error: { code: 'invalid_token', message: who.reason } }, { 'WWW-Authenticate': 'Bearer realm="StepFlow", error="invalid_token"' });
      }
      admin = who.kind !== 'anonymous' && who.user.isAdmin;
    }
    if (!admin) return sendJson(res, 200, { ok: true });
    sendJson(res, 200, { ok: true, workers: await workers() });
  };
}
