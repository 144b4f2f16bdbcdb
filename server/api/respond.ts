// Responses of the HTTP API: JSON, never cached, errors as { error: { code, message, ...details } },
// and absolute URLs built from the request's host (the client calls from elsewhere).
import type http from 'node:http';
import { isHttps } from '../auth/session';

/** Thrown by API handlers; the dispatcher turns it into the JSON error response. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendApiError(res: http.ServerResponse, e: ApiError): void {
  sendJson(res, e.status, { error: { ...e.details, code: e.code, message: e.message } }, e.headers);
}

export function methodNotAllowed(allowed: string[], method: string | undefined): ApiError {
  return new ApiError(405, 'method_not_allowed', `${method ?? 'this method'} is not allowed here; use ${allowed.join(' or ')}`, {}, { Allow: allowed.join(', ') });
}

/** `https://host` as the client addressed us (a TLS-terminating proxy's forwarded host first). */
export function requestOrigin(req: http.IncomingMessage): string {
  const forwarded = req.headers['x-forwarded-host'];
  const host = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0].trim() || req.headers.host || 'localhost';
  return `${isHttps(req) ? 'https' : 'http'}://${host}`;
}
