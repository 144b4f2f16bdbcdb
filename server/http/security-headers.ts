// Security headers on every HTTP response the server writes (tRPC, files, the HTTP API and Next's pages alike).
import type http from 'node:http';
import { isHttps } from '../auth/session';

/**
 * What the app needs and no more. Next's app router streams inline <script> tags, so scripts need
 * 'unsafe-inline' (a nonce would make every page dynamic); React Refresh in dev needs 'unsafe-eval'.
 * Previews are blob: URLs of binary frames, the workflow download is a blob: link, small icons are data: URLs.
 * `connect-src 'self'` also matches the same-origin ws:/wss: of Socket.io (CSP Level 3).
 */
export function contentSecurityPolicy(dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ''}`,
    // React Flow positions nodes with style attributes, Next injects <style> tags.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self' data:",
    // blob:/data: so a page can read back its own preview frames (the e2e specs compare their pixels).
    "connect-src 'self' blob: data:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export type SecurityHeaders = (req: http.IncomingMessage) => Record<string, string>;

/** The headers every response carries, for this request (HSTS only over https). */
export function securityHeaders(opts: { dev: boolean }): SecurityHeaders {
  const csp = contentSecurityPolicy(opts.dev);
  return (req) => ({
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    // Share links carry their token in the query string: never hand it to another site.
    'Referrer-Policy': 'same-origin',
    // For browsers older than frame-ancestors.
    'X-Frame-Options': 'DENY',
    // Only over https: a browser ignores it on http, and sending it there would pin nothing.
    ...(isHttps(req) ? { 'Strict-Transport-Security': 'max-age=31536000' } : {}),
  });
}
