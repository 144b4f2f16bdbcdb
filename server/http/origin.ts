// Same-origin check for browser requests (tRPC mutations, the Socket.io handshake): the Origin a browser sends
// must name this host, as the browser reached it directly or through a proxy (X-Forwarded-Host).
import type http from 'node:http';
import { isHttps } from '../auth/session';

/** The request's Origin when it names another site; null when it is ours or absent (a non-browser client). */
export function foreignOrigin(req: http.IncomingMessage): string | null {
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  const scheme = isHttps(req) ? 'https' : 'http';
  if (origin === `${scheme}://${req.headers.host ?? ''}`) return null;
  const forwardedHost = req.headers['x-forwarded-host'];
  if (typeof forwardedHost === 'string' && origin === `${scheme}://${forwardedHost}`) return null;
  return origin;
}
