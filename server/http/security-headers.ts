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

/** Returns a function that sets the headers on a response before any handler writes it. */
export function securityHeaders(opts: { dev: boolean }): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const csp = contentSecurityPolicy(opts.dev);
  return (req, res) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Share links carry their token in the query string: never hand it to another site.
    res.setHeader('Referrer-Policy', 'same-origin');
    // For browsers older than frame-ancestors.
    res.setHeader('X-Frame-Options', 'DENY');
    // Only over https: a browser ignores it on http, and sending it there would pin nothing.
    if (isHttps(req)) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
  };
}
