// Which address the per-IP limits count: the TCP peer unless TRUST_PROXY says how many proxies of ours append to
// X-Forwarded-For; then the entry the nearest of them vouches for, never a client-written one further left.
// Sign-up is throttled per client address, and sign-in's per-IP limit uses the same address.
import fs from 'node:fs';
import type http from 'node:http';
import superjson from 'superjson';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, tempDir, type TestServer } from '../testing/harness';
import { clientIp } from './client-ip';

function req(remoteAddress: string, forwardedFor?: string): Pick<http.IncomingMessage, 'headers' | 'socket'> {
  return {
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
    socket: { remoteAddress } as http.IncomingMessage['socket'],
  };
}

describe('clientIp', () => {
  it('TRUST_PROXY off: the socket address, whatever X-Forwarded-For claims', () => {
    expect(clientIp(req('203.0.113.9', '198.51.100.1'), 0)).toBe('203.0.113.9');
    expect(clientIp(req('::ffff:127.0.0.1', '198.51.100.1'), 0)).toBe('127.0.0.1');
    expect(clientIp(req('2001:DB8::1'), 0)).toBe('2001:db8::1');
  });

  it('TRUST_PROXY=N: the N-th X-Forwarded-For entry from the right; left-most when there are fewer', () => {
    const chain = '6.6.6.6, 198.51.100.7, 10.0.0.2';
    expect(clientIp(req('10.0.0.1', chain), 1)).toBe('10.0.0.2');
    expect(clientIp(req('10.0.0.1', chain), 2)).toBe('198.51.100.7');
    expect(clientIp(req('10.0.0.1', chain), 5)).toBe('6.6.6.6');
    expect(clientIp(req('10.0.0.1', '198.51.100.7:4431'), 1)).toBe('198.51.100.7');
    expect(clientIp(req('10.0.0.1', '[2001:db8::7]:443'), 1)).toBe('2001:db8::7');
  });

  it('TRUST_PROXY on but no usable header: the socket address', () => {
    expect(clientIp(req('10.0.0.1'), 1)).toBe('10.0.0.1');
    expect(clientIp(req('10.0.0.1', ' , '), 1)).toBe('10.0.0.1');
    expect(clientIp(req('10.0.0.1', 'not-an-address'), 1)).toBe('10.0.0.1');
  });
});

const servers: TestServer[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function server(env: Record<string, string>): Promise<TestServer> {
  const dir = tempDir('client-ip');
  dirs.push(dir);
  const s = await startTestServer(dir, { AUTH: 'local', ...env });
  servers.push(s);
  return s;
}

function post(t: TestServer, procedure: string, input: unknown, forwardedFor: string) {
  return fetch(`${t.url}/api/trpc/${procedure}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify(superjson.serialize(input)),
  });
}

const taken = { username: 'taken', password: 'taken-password' };

describe('sign-up per client address', () => {
  it('TRUST_PROXY off: 20 attempts an hour per socket address, and a forged X-Forwarded-For does not reset it', async () => {
    const t = await server({});
    expect((await post(t, 'auth.signUp', taken, '198.51.100.1')).status).toBe(200);
    // Attempts count whether or not they succeed: a taken name is refused after its attempt is counted.
    for (let i = 2; i <= 20; i++) expect((await post(t, 'auth.signUp', taken, `198.51.100.${i}`)).status).toBe(409);
    const refused = await post(t, 'auth.signUp', { username: 'fresh', password: 'fresh-password' }, '203.0.113.77');
    expect(refused.status).toBe(429);
    const retry = Number(refused.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(3500);
    expect(retry).toBeLessThanOrEqual(3600);
    const body = await refused.json() as { error: { json: { message: string; data: { code: string } } } };
    expect([body.error.json.data.code, body.error.json.message]).toEqual(['TOO_MANY_REQUESTS', `too many sign-ups from your address: wait ${retry} s and try again`]);
    expect(await t.server.services.db.user.count({ where: { username: 'fresh' } })).toBe(0);
  }, 60_000);

  it('TRUST_PROXY on: counted per right-most X-Forwarded-For entry; left entries are the client\'s and ignored', async () => {
    const t = await server({ TRUST_PROXY: 'on' });
    expect((await post(t, 'auth.signUp', taken, '10.9.9.9')).status).toBe(200);
    for (let i = 2; i <= 20; i++) expect((await post(t, 'auth.signUp', taken, `192.0.2.${i}, 10.0.0.1`)).status).toBe(409);
    expect((await post(t, 'auth.signUp', taken, '10.0.0.1')).status).toBe(409);
    expect((await post(t, 'auth.signUp', taken, '10.0.0.2, 10.0.0.1')).status).toBe(429);
    expect((await post(t, 'auth.signUp', taken, '10.0.0.1, 10.0.0.2')).status).toBe(409);
  }, 60_000);
});

describe('sign-in per client address', () => {
  it('TRUST_PROXY on: 20 attempts a minute per client, whichever accounts they name', async () => {
    const t = await server({ TRUST_PROXY: '1' });
    const guesses = await Promise.all(Array.from({ length: 20 }, (_, i) => post(t, 'auth.signIn', { username: `user-${i}`, password: 'some-guess' }, `6.6.6.${i}, 10.0.0.1`)));
    expect(guesses.map((r) => r.status)).toEqual(Array(20).fill(401));
    const limited = await post(t, 'auth.signIn', { username: 'user-99', password: 'some-guess' }, '10.0.0.1');
    expect(limited.status).toBe(429);
    const body = await limited.json() as { error: { json: { message: string } } };
    expect(body.error.json.message).toMatch(/^too many failed sign-ins from your address: wait \d+ s/);
    expect((await post(t, 'auth.signIn', { username: 'user-99', password: 'some-guess' }, '10.0.0.3')).status).toBe(401);
  }, 60_000);
});
