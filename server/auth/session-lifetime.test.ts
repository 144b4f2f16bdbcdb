// Session lifetime against the real server and database: the sliding term never renews past SESSION_MAX_DAYS from
// sign-in; expired (or too old) session rows are purged by an unref'd timer that close() stops.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { applyMigrations } from '../../prisma/migrate';
import { openDb } from '../db';
import { loadEnv } from '../env';
import { migrationsDir } from '../paths';
import { sessionClient, startTestServer, tempDir, until, type SessionClient, type TestServer } from '../testing/harness';

const DAY = 24 * 3600 * 1000;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function server(env: Record<string, string>): Promise<TestServer> {
  const dir = tempDir('session-life');
  dirs.push(dir);
  return startTestServer(dir, { AUTH: 'local', ...env });
}

function keyOf(c: SessionClient): string {
  const value = c.setCookies[0].match(/^stepflow_session=([0-9a-f]{64});/)![1];
  return crypto.createHash('sha256').update(value).digest('hex');
}

function cookieExpiry(setCookie: string): number {
  return new Date(setCookie.match(/Expires=([^;]+)/)![1]).getTime();
}

describe('session lifetime settings', () => {
  it('default to a 30-day sliding term, 90 days at most, purged hourly; proxies not trusted', () => {
    expect(loadEnv({})).toMatchObject({ SESSION_DAYS: 30, SESSION_MAX_DAYS: 90, SESSION_PURGE_INTERVAL: 3_600_000, TRUST_PROXY: 0 });
    expect(() => loadEnv({ SESSION_MAX_DAYS: '0' })).toThrow('SESSION_MAX_DAYS: SESSION_MAX_DAYS must be at least 1 (got "0")');
  });
});

describe('migration', () => {
  it('gives sessions signed in before it the start of their current term as sign-in time', async () => {
    const dir = tempDir('session-migration');
    dirs.push(dir);
    const before = path.join(dir, 'migrations');
    for (const name of fs.readdirSync(migrationsDir).filter((n) => n < '20251230000000_session_lifetime')) {
      fs.cpSync(path.join(migrationsDir, name), path.join(before, name), { recursive: true });
    }
    const file = path.join(dir, 'stepflow.db');
    applyMigrations(file, before);
    const raw = new Database(file);
    raw.prepare(`INSERT INTO "User" ("id", "username", "passwordHash") VALUES ('u1', 'old', 'x')`).run();
    raw.prepare(`INSERT INTO "Session" ("id", "userId", "expiresAt") VALUES ('s1', 'u1', '2026-03-31T12:00:00.000+00:00')`).run();
    raw.close();
    // Later migrations may follow it; this one must be the first applied.
    expect(applyMigrations(file, migrationsDir).applied[0]).toBe('20251230000000_session_lifetime');
    const db = await openDb(file);
    try {
      expect(await db.session.findMany()).toEqual([{
        id: 's1', userId: 'u1', expiresAt: new Date('2026-03-31T12:00:00.000Z'), createdAt: new Date('2026-03-01T12:00:00.000Z'),
      }]);
    } finally {
      await db.$disconnect();
    }
  });
});

describe('absolute lifetime', () => {
  it('a new session ends at SESSION_MAX_DAYS when that is sooner than the sliding term', async () => {
    const t = await server({ SESSION_DAYS: '30', SESSION_MAX_DAYS: '7' });
    try {
      const c = sessionClient(t.url);
      const before = Date.now();
      await c.trpc.auth.signUp.mutate({ username: 'shorty', password: 'shorty-password' });
      const expires = cookieExpiry(c.setCookies[0]);
      expect(expires).toBeGreaterThanOrEqual(Math.floor((before + 7 * DAY) / 1000) * 1000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 7 * DAY);
      const row = await t.server.services.db.session.findUniqueOrThrow({ where: { id: keyOf(c) } });
      expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(7 * DAY);
    } finally {
      await t.close();
    }
  });

  it('renewal in the second half of the term stops at sign-in + SESSION_MAX_DAYS; past it the cookie is refused', async () => {
    const t = await server({ SESSION_DAYS: '30', SESSION_MAX_DAYS: '40' });
    try {
      const db = t.server.services.db;
      const c = sessionClient(t.url);
      await c.trpc.auth.signUp.mutate({ username: 'longtimer', password: 'longtimer-password' });
      const key = keyOf(c);
      // Signed in 35 days ago, used ever since: 2 days of the current term left.
      const signedIn = Date.now() - 35 * DAY;
      await db.session.update({ where: { id: key }, data: { createdAt: new Date(signedIn), expiresAt: new Date(Date.now() + 2 * DAY) } });
      expect((await c.trpc.auth.me.query()).user?.username).toBe('longtimer');
      expect(c.setCookies).toHaveLength(2);
      expect(cookieExpiry(c.setCookies[1])).toBe(Math.floor((signedIn + 40 * DAY) / 1000) * 1000);
      expect((await db.session.findUniqueOrThrow({ where: { id: key } })).expiresAt.getTime()).toBe(signedIn + 40 * DAY);

      // Renewed as far as it goes: no further renewal, and once that moment passes the session is over.
      await c.trpc.auth.me.query();
      expect(c.setCookies).toHaveLength(2);
      await db.session.update({ where: { id: key }, data: { createdAt: new Date(Date.now() - 40 * DAY), expiresAt: new Date(Date.now() - 1) } });
      expect((await c.trpc.auth.me.query()).user).toBeNull();
    } finally {
      await t.close();
    }
  });
});

describe('purge', () => {
  it('deletes expired and too-old sessions on an unref\'d timer, keeps live ones, and close() stops the timer', async () => {
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval');
    const clearIntervalSpy = vi.spyOn(globalThis, 'clearInterval');
    const t = await server({ SESSION_PURGE_INTERVAL: '150', SESSION_MAX_DAYS: '90' });
    let closed = false;
    try {
      const db = t.server.services.db;
      const live = sessionClient(t.url);
      const expired = sessionClient(t.url);
      const ancient = sessionClient(t.url);
      await live.trpc.auth.signUp.mutate({ username: 'purge-me', password: 'purge-me-password' });
      await expired.trpc.auth.signIn.mutate({ username: 'purge-me', password: 'purge-me-password' });
      await ancient.trpc.auth.signIn.mutate({ username: 'purge-me', password: 'purge-me-password' });
      await db.session.update({ where: { id: keyOf(expired) }, data: { expiresAt: new Date(Date.now() - 1000) } });
      // Still inside its (older, longer) expiry, but signed in more than SESSION_MAX_DAYS ago.
      await db.session.update({ where: { id: keyOf(ancient) }, data: { createdAt: new Date(Date.now() - 91 * DAY) } });

      const left = await until(async () => {
        const ids = (await db.session.findMany({ select: { id: true } })).map((r) => r.id);
        return ids.length === 1 ? ids : undefined;
      }, 'the purge of the expired and the too-old session', 30_000);
      expect(left).toEqual([keyOf(live)]);

      const call = setIntervalSpy.mock.calls.findIndex((args) => args[1] === 150);
      expect(call).toBeGreaterThanOrEqual(0);
      const timer = setIntervalSpy.mock.results[call].value as NodeJS.Timeout;
      expect(timer.hasRef()).toBe(false);
      await t.close();
      closed = true;
      expect(clearIntervalSpy).toHaveBeenCalledWith(timer);
    } finally {
      if (!closed) await t.close();
    }
  });
});
