// GET /metrics (Prometheus text format). Who may scrape: anyone presenting `Authorization: Bearer $METRICS_TOKEN`;
// with accounts on, an admin (session cookie or API token); with AUTH=none and no METRICS_TOKEN, only requests
// from this machine (loopback), since the numbers tell a stranger how busy the server is and what fails.
import type http from 'node:http';
import { sendJson } from '../api/respond';
import { identifyRequest } from '../auth/api-token';
import { bearerMatches } from '../cluster/worker-token';
import type { Db } from '../db';
import { isLoopbackHost } from '../http/listen-address';
import type { Metrics } from './metrics';

export const METRICS_PATH = '/metrics';

function refuse(res: http.ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}

export function createMetricsHandler(o: { metrics: Metrics; db: Db; enforced: boolean; token?: string }) {
  return async function handleMetrics(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method_not_allowed', 'use GET /metrics');
    const auth = req.headers.authorization;
    let allowed = Boolean(o.token && auth && bearerMatches(auth, o.token));
    if (!allowed && o.enforced) {
      const who = await identifyRequest(o.db, req.headers);
      allowed = (who.kind === 'cookie' || who.kind === 'bearer') && who.user.isAdmin;
    }
    if (!allowed && !o.enforced && !o.token) allowed = isLoopbackHost(req.socket.remoteAddress ?? '');
    if (!allowed) {
      const how = o.token ? 'present METRICS_TOKEN as a bearer token' : o.enforced ? 'sign in as an admin (or use an admin API token)' : 'scrape from this machine, or set METRICS_TOKEN';
      return refuse(res, auth ? 401 : 403, 'metrics_refused', `not allowed to read /metrics: ${how}`);
    }
    const body = await o.metrics.registry.metrics();
    res.writeHead(200, { 'Content-Type': o.metrics.registry.contentType, 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
