// Accounts over real HTTP (AUTH=local): cookie attributes, one error for unknown user and wrong password,
// rate limiting, CSRF refusal of cross-site mutations, and no password in the database or the log.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionClient, startTestServer, tempDir, trpcRejection, type TestServer } from '../testing/harness';
import { hashPassword, verifyPassword } from './password';

let t: TestServer;
let dataDir: string;
const logs: string[] = [];
const PASSWORD = 'correct horse battery staple';

/** A raw tRPC mutation, to control the headers a browser would send. */
function rawMutation(procedure: string, input: unknown, headers: Record<string, string>) {
  return fetch(`${t.url}/api/trpc/${procedure}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(superjson.serialize(input)),
  });
}

beforeAll(async () => {
  dataDir = tempDir('auth');
  t = await startTestServer(dataDir, { AUTH: 'local' }, (m) => logs.push(m));
});

afterAll(async () => {
  await t?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('password hashing', () => {
  it('salts each hash and verifies only the right password', async () => {
    const a = await hashPassword('pw-one-two');
    const b = await hashPassword('pw-one-two');
    expect(a).toMatch(/^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('pw-one-two', a)).toBe(true);
    expect(await verifyPassword('pw-one-tw0', a)).toBe(false);
  });
});

describe('sign up, sign in, sign out', () => {
  it('sets an HttpOnly SameSite=Lax session cookie and never stores or logs the password', async () => {
    const c = sessionClient(t.url);
    const { user } = await c.trpc.auth.signUp.mutate({ username: 'Alice', password: PASSWORD });
    expect(user).toMatchObject({ username: 'alice', isAdmin: false });
    expect(c.setCookies[0]).toMatch(/^stepflow_session=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Lax; Expires=/);
    expect(c.setCookies[0]).not.toMatch(/Secure/);
    expect((await c.trpc.auth.me.query()).user?.username).toBe('alice');

    const d = sessionClient(t.url);
    await d.trpc.auth.signIn.mutate({ username: 'alice', password: PASSWORD });
    expect((await d.trpc.auth.me.query()).user?.id).toBe(user.id);

    const db = new Database(path.join(dataDir, 'stepflow.db'), { readonly: true });
    const row = db.prepare('SELECT * FROM "User" WHERE "username" = ?').get('alice') as Record<string, unknown>;
    db.close();
    expect(JSON.stringify(row)).not.toContain(PASSWORD);
    expect(String(row.passwordHash)).toMatch(/^scrypt\$/);
    expect(logs.some((l) => l.includes('alice signed in'))).toBe(true);
    expect(logs.join('\n')).not.toContain(PASSWORD);
    // Sessions are stored as sha256 of the cookie value: the database holds no usable cookie.
    const cookieValue = c.setCookies[0].match(/^stepflow_session=([0-9a-f]{64});/)![1];
    const sdb = new Database(path.join(dataDir, 'stepflow.db'), { readonly: true });
    const sessions = sdb.prepare('SELECT "id" FROM "Session" WHERE "userId" = ?').all(user.id) as { id: string }[];
    sdb.close();
    expect(sessions.map((r) => r.id)).toContain(crypto.createHash('sha256').update(cookieValue).digest('hex'));
    expect(sessions.map((r) => r.id)).not.toContain(cookieValue);

    await d.trpc.auth.signOut.mutate();
    expect(d.setCookies.at(-1)).toMatch(/^stepflow_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0/);
    expect((await d.trpc.auth.me.query()).user).toBeNull();
    expect((await c.trpc.auth.me.query()).user?.username).toBe('alice');
  });

  it('marks the cookie Secure behind an https proxy', async () => {
    const c = sessionClient(t.url, { 'x-forwarded-proto': 'https' });
    await c.trpc.auth.signUp.mutate({ username: 'bob', password: PASSWORD });
    expect(c.setCookies[0]).toMatch(/; Secure$/);
  });

  it('says the same thing for an unknown user and a wrong password, and refuses a taken name', async () => {
    const c = sessionClient(t.url);
    const unknown = await trpcRejection(c.trpc.auth.signIn.mutate({ username: 'nobody', password: PASSWORD }));
    const wrong = await trpcRejection(c.trpc.auth.signIn.mutate({ username: 'bob', password: 'not the password' }));
    expect([unknown.message, unknown.data?.code]).toEqual(['wrong username or password', 'UNAUTHORIZED']);
    expect([wrong.message, wrong.data?.code]).toEqual(['wrong username or password', 'UNAUTHORIZED']);
    expect((await trpcRejection(c.trpc.auth.signUp.mutate({ username: 'bob', password: PASSWORD }))).data?.code).toBe('CONFLICT');
  });

  it('locks an account for a minute after 5 failures, even for the right password', async () => {
    const c = sessionClient(t.url);
    await c.trpc.auth.signUp.mutate({ username: 'carol', password: PASSWORD });
    const firstAttempt = Date.now();
    for (let i = 0; i < 5; i++) {
      expect((await trpcRejection(c.trpc.auth.signIn.mutate({ username: 'carol', password: `guess-${i}-xx` }))).data?.code).toBe('UNAUTHORIZED');
    }
    const res = await rawMutation('auth.signIn', { username: 'carol', password: PASSWORD }, {});
    expect(res.status).toBe(429);
    const retry = Number(res.headers.get('retry-after'));
    // The minute counts from the first attempt; five password checks may take seconds on a busy machine.
    expect(retry).toBeGreaterThanOrEqual(60 - Math.ceil((Date.now() - firstAttempt) / 1000));
    expect(retry).toBeLessThanOrEqual(60);
    const body = await res.json() as { error: { json: { message: string; data: { retryAfter: number } } } };
    expect(body.error.json.data.retryAfter).toBe(retry);
    expect(body.error.json.message).toMatch(/^too many failed sign-ins: wait \d+ s/);
  });
});

describe('CSRF', () => {
  it('refuses mutations from another origin or not sent as JSON, and accepts same-origin ones', async () => {
    const evil = await rawMutation('auth.signUp', { username: 'mallory', password: PASSWORD }, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    const form = await fetch(`${t.url}/api/trpc/auth.signUp`, {
      method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(superjson.serialize({ username: 'mallory', password: PASSWORD })),
    });
    // tRPC itself refuses a non-JSON body (415) before any procedure runs.
    expect(form.status).toBe(415);
    // Neither refused request created the account: the same-origin one can still take the name.
    const same = await rawMutation('auth.signUp', { username: 'mallory', password: PASSWORD }, { origin: t.url });
    expect(same.status).toBe(200);
  });

  it('leaves AUTH=none alone: auth procedures say accounts are off', async () => {
    const dir = tempDir('auth-none');
    const plain = await startTestServer(dir);
    try {
      expect((await plain.trpc.auth.me.query())).toEqual({ auth: 'none', signup: 'open', user: null });
      expect((await trpcRejection(plain.trpc.auth.signIn.mutate({ username: 'alice', password: PASSWORD }))).data?.code).toBe('PRECONDITION_FAILED');
    } finally {
      await plain.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('change password', () => {
  it('asks for the current password, signs out my other browsers, keeps this one', async () => {
    const here = sessionClient(t.url);
    const elsewhere = sessionClient(t.url);
    const stranger = sessionClient(t.url);
    await here.trpc.auth.signUp.mutate({ username: 'carla', password: PASSWORD });
    await elsewhere.trpc.auth.signIn.mutate({ username: 'carla', password: PASSWORD });
    await stranger.trpc.auth.signUp.mutate({ username: 'dario', password: PASSWORD });

    const wrong = await trpcRejection(here.trpc.auth.changePassword.mutate({ currentPassword: 'not it at all', newPassword: 'a brand new passphrase' }));
    expect([wrong.data?.code, wrong.message]).toEqual(['FORBIDDEN', 'the current password is wrong']);
    const short = await trpcRejection(here.trpc.auth.changePassword.mutate({ currentPassword: PASSWORD, newPassword: 'short' }));
    expect(short.data?.code).toBe('BAD_REQUEST');
    expect(await trpcRejection(sessionClient(t.url).trpc.auth.changePassword.mutate({ currentPassword: PASSWORD, newPassword: 'whatever-long' })))
      .toMatchObject({ data: { code: 'UNAUTHORIZED' } });

    const NEW = 'a brand new passphrase';
    expect(await here.trpc.auth.changePassword.mutate({ currentPassword: PASSWORD, newPassword: NEW })).toEqual({ otherSessionsSignedOut: 1 });
    expect((await here.trpc.auth.me.query()).user?.username).toBe('carla');
    expect((await elsewhere.trpc.auth.me.query()).user).toBeNull();
    expect((await stranger.trpc.auth.me.query()).user?.username).toBe('dario'); // other people stay signed in

    const old = await trpcRejection(sessionClient(t.url).trpc.auth.signIn.mutate({ username: 'carla', password: PASSWORD }));
    expect(old.message).toBe('wrong username or password');
    await sessionClient(t.url).trpc.auth.signIn.mutate({ username: 'carla', password: NEW });
    expect(logs.join('\n')).not.toContain(NEW);
  });
});

describe('sliding sessions', () => {
  it('a session used in the second half of its life gets a full term again, once', async () => {
    const c = sessionClient(t.url);
    await c.trpc.auth.signUp.mutate({ username: 'sliding', password: PASSWORD });
    const key = crypto.createHash('sha256').update(c.setCookies[0].match(/^stepflow_session=([0-9a-f]{64});/)![1]).digest('hex');
    const db = t.server.services.db;
    // Fresh (30 days left): nothing to renew.
    await c.trpc.auth.me.query();
    expect(c.setCookies).toHaveLength(1);
    // Two days left: the next request renews it and says so in the cookie.
    await db.session.update({ where: { id: key }, data: { expiresAt: new Date(Date.now() + 2 * 24 * 3600 * 1000) } });
    expect((await c.trpc.auth.me.query()).user?.username).toBe('sliding');
    expect(c.setCookies).toHaveLength(2);
    const expires = new Date(c.setCookies[1].match(/Expires=([^;]+)/)![1]).getTime();
    expect(Math.abs(expires - (Date.now() + 30 * 24 * 3600 * 1000))).toBeLessThan(60_000);
    const row = await db.session.findUniqueOrThrow({ where: { id: key } });
    expect(Math.abs(row.expiresAt.getTime() - expires)).toBeLessThan(1000);
    await c.trpc.auth.me.query();
    expect(c.setCookies).toHaveLength(2);
  });
});
