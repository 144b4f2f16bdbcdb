// Every response of the one HTTP server carries the security headers: pages, tRPC, files, the HTTP API, errors.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, tempDir, type TestServer } from '../testing/harness';
import { contentSecurityPolicy } from './security-headers';

describe('security headers', () => {
  let t: TestServer;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('headers');
    t = await startTestServer(dir, { WORKERS: '1' });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const paths: Array<[string, number, RequestInit?]> = [
    ['/api/health', 200],
    ['/api/trpc/nodes.catalog', 200],
    ['/api/trpc/no.such.procedure', 404],
    ['/api/artifacts/unknown-id', 404],
    ['/api/artifacts/unknown-id', 405, { method: 'DELETE' }],
    ['/api/inputs/missing.png', 404],
    // Broken percent-escapes name nothing: 404, not a 500.
    ['/api/artifacts/%zz', 404],
    ['/api/inputs/%zz.png', 404],
    ['/api/runs/unknown-run', 404],
    ['/api/workers/check', 404],
    // Where Next's pages are dispatched (this instance serves none): the headers are set before dispatch.
    ['/w/some-workflow', 404],
    // Engine.io answers this itself, before the server's handler (its JSON error answers carry no page to protect).
    ['/socket.io/?EIO=4&transport=polling', 200],
  ];

  it.each(paths)('%s answers %i with CSP, nosniff, Referrer-Policy and no HSTS over http', async (p, status, init) => {
    const res = await fetch(`${t.url}${p}`, init);
    expect(res.status).toBe(status);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(contentSecurityPolicy(true));
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });

  it('adds HSTS when a TLS proxy says the browser used https', async () => {
    const res = await fetch(`${t.url}/api/health`, { headers: { 'X-Forwarded-Proto': 'https' } });
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
    const other = await fetch(`${t.url}/api/trpc/nodes.catalog`, { headers: { 'X-Forwarded-Proto': 'https,http' } });
    expect(other.headers.get('strict-transport-security')).toBe('max-age=31536000');
  });
});

describe('contentSecurityPolicy', () => {
  it('allows what the app loads (blob:/data: images, same-origin sockets) and eval only in development', () => {
    const prod = contentSecurityPolicy(false).split('; ');
    expect(prod).toContain("script-src 'self' 'unsafe-inline'");
    expect(prod).toContain("img-src 'self' blob: data:");
    expect(prod).toContain("connect-src 'self' blob: data:");
    expect(prod).toContain("object-src 'none'");
    expect(contentSecurityPolicy(true).split('; ')).toContain("script-src 'self' 'unsafe-inline' 'unsafe-eval'");
  });
});
