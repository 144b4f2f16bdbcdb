// The browser-facing Socket.io refuses handshakes from pages of other sites, like tRPC mutations do.
import fs from 'node:fs';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join, startTestServer, tempDir, type TestServer } from '../testing/harness';

describe('Socket.io origin check', () => {
  let t: TestServer;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('socket-origin');
    t = await startTestServer(dir, { WORKERS: '1' });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const handshake = (headers: Record<string, string>) => fetch(`${t.url}/socket.io/?EIO=4&transport=polling`, { headers });

  it('refuses a polling handshake from another origin with 403 naming it', async () => {
    const res = await handshake({ Origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ code: 4, message: 'socket from another site (http://evil.example) refused' });
    // Same host, other scheme or port: another origin too.
    expect((await handshake({ Origin: t.url.replace('http:', 'https:') })).status).toBe(403);
    expect((await handshake({ Origin: `http://127.0.0.1:1` })).status).toBe(403);
  });

  it('accepts its own origin, the proxy-forwarded host, and clients that send no Origin', async () => {
    const own = await handshake({ Origin: t.url });
    expect(own.status).toBe(200);
    expect(await own.text()).toMatch(/^0\{"sid":/);
    expect((await handshake({ Origin: 'https://sf.example', 'X-Forwarded-Host': 'sf.example', 'X-Forwarded-Proto': 'https' })).status).toBe(200);
    expect((await handshake({})).status).toBe(200);
  });

  it('refuses a websocket from another origin; a client without Origin connects and joins', async () => {
    const attempt = async (origin: string) => {
      const s = connect(t.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { Origin: origin } });
      const outcome = await new Promise<string>((resolve) => {
        s.once('connect', () => resolve('connected'));
        s.once('connect_error', (e) => resolve(`refused: ${e.message}`));
      });
      s.close();
      return outcome;
    };
    expect(await attempt('http://evil.example')).toBe('refused: websocket error');
    expect(await attempt(t.url)).toBe('connected');

    const s = await t.socket();
    expect(await join(s, { workflowId: 'any' })).toMatchObject({ ok: true, room: 'workflow:any' });
  });
});
