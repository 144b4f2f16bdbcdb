// Password hashing at OWASP's scrypt cost (N=2^17, r=8, p=1) by default, off the event loop; hashes of the old
// cost (N=2^15) still sign in and are re-hashed at the current cost on that sign-in.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionClient, startTestServer, tempDir, trpcOutcome, type TestServer } from '../testing/harness';
import { hashPassword, needsRehash, SCRYPT_COST, verifyPassword } from './password';

/** A hash as the code before this change stored it: N=2^15, r=8, p=1. */
function oldHash(password: string): string {
  const salt = crypto.randomBytes(16);
  const key = crypto.scryptSync(password.normalize('NFC'), salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  return `scrypt$32768$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

describe('hash cost', () => {
  it('defaults to N=2^17, r=8, p=1', async () => {
    expect(SCRYPT_COST).toEqual({ N: 131072, r: 8, p: 1 });
    const h = await hashPassword('a long passphrase');
    expect(h).toMatch(/^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('a long passphrase', h)).toBe(true);
    expect(await verifyPassword('a long passphrasf', h)).toBe(false);
    expect(needsRehash(h)).toBe(false);
  });

  it('hashes on the thread pool: the event loop turns while a hash is computed', async () => {
    const order: string[] = [];
    const hashing = hashPassword('while the loop turns').then(() => order.push('hashed'));
    setImmediate(() => order.push('event loop'));
    await hashing;
    expect(order).toEqual(['event loop', 'hashed']);
  });

  it('verifies old-cost hashes, flags them for re-hashing, and refuses absurd stored costs without trying', async () => {
    const old = oldHash('legacy password');
    expect(await verifyPassword('legacy password', old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
    const salt = crypto.randomBytes(16).toString('base64url');
    expect(await verifyPassword('x', `scrypt$${2 ** 30}$8$1$${salt}$${'A'.repeat(43)}`)).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$whatever')).toBe(false);
  });
});

describe('upgrade at sign-in', () => {
  let t: TestServer;
  let dataDir: string;
  const logs: string[] = [];

  beforeAll(async () => {
    dataDir = tempDir('password-cost');
    t = await startTestServer(dataDir, { AUTH: 'local' }, (m) => logs.push(m));
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a user with an N=2^15 hash signs in and leaves an N=2^17 hash behind that verifies the same password', async () => {
    const db = t.server.services.db;
    const legacy = oldHash('legacy-password-1');
    const user = await db.user.create({ data: { username: 'legacy', passwordHash: legacy } });

    expect(await trpcOutcome(sessionClient(t.url).trpc.auth.signIn.mutate({ username: 'legacy', password: 'wrong-password' }))).toBe('UNAUTHORIZED');
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash).toBe(legacy);

    await sessionClient(t.url).trpc.auth.signIn.mutate({ username: 'legacy', password: 'legacy-password-1' });
    const upgraded = (await db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash;
    expect(upgraded).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(logs).toContain('password hash of legacy upgraded to the current scrypt cost');

    const again = sessionClient(t.url);
    await again.trpc.auth.signIn.mutate({ username: 'legacy', password: 'legacy-password-1' });
    expect((await again.trpc.auth.me.query()).user?.username).toBe('legacy');
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash).toBe(upgraded);
  });
});
