// ADMIN_USERNAME naming an ordinary account (someone signed up with it first): start-up refuses with a message
// saying what to do, and that account is handed nothing — not the ownerless workflows, not admin rights.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from '../app';
import { loadEnv } from '../env';
import { fillGraph, sessionClient, startTestServer, tempDir } from '../testing/harness';
import { openDatabase } from '../db';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('ADMIN_USERNAME at start-up', () => {
  it('refuses to start when the name belongs to a non-admin, and leaves ownerless workflows alone', async () => {
    const dataDir = tempDir('admin-start');
    dirs.push(dataDir);
    // Single-user mode leaves a workflow without owner; then, with accounts on but no admin configured, "root" signs up.
    const single = await startTestServer(dataDir);
    const w = await single.trpc.workflows.create.mutate({ name: 'made before accounts', graph: fillGraph() });
    await single.close();
    const open = await startTestServer(dataDir, { AUTH: 'local' });
    await sessionClient(open.url).trpc.auth.signUp.mutate({ username: 'root', password: 'squatter-password' });
    await open.close();

    const env = loadEnv({
      DATA_DIR: dataDir, MODELS_DIR: path.join(dataDir, 'models'), PORT: '0', NODE_ENV: 'test',
      AUTH: 'local', ADMIN_USERNAME: 'Root', ADMIN_PASSWORD: 'the-real-admin-password',
    });
    const logs: string[] = [];
    const refused = await createServer({ env, next: false, hostname: '127.0.0.1', log: (m) => logs.push(m) }).then(
      (s) => s.close().then(() => null),
      (e: unknown) => e as Error,
    );
    expect(refused?.name).toBe('AdminAccountError');
    expect(refused?.message).toMatch(/^ADMIN_USERNAME is "root", but "root" is an existing account without admin rights/);
    expect(refused?.message).toContain('Set ADMIN_USERNAME to an admin\'s name or to an unused name');

    const db = await openDatabase(env.DATABASE_URL);
    try {
      expect(await db.workflow.findUnique({ where: { id: w.id }, select: { ownerId: true } })).toEqual({ ownerId: null });
      expect(await db.user.findMany({ select: { username: true, isAdmin: true } })).toEqual([{ username: 'root', isAdmin: false }]);
    } finally {
      await db.$disconnect();
    }
    expect(logs.join('\n')).not.toMatch(/belong to the admin/);
  }, 120_000);

  it('starts when the name is an admin\'s, and hands that admin the ownerless workflows', async () => {
    const dataDir = tempDir('admin-start-ok');
    dirs.push(dataDir);
    const single = await startTestServer(dataDir);
    const w = await single.trpc.workflows.create.mutate({ name: 'made before accounts', graph: fillGraph() });
    await single.close();
    const t = await startTestServer(dataDir, { AUTH: 'local', ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'the-real-admin-password' });
    try {
      const root = await t.server.services.db.user.findUniqueOrThrow({ where: { username: 'root' } });
      expect(root.isAdmin).toBe(true);
      expect(await t.server.services.db.workflow.findUnique({ where: { id: w.id }, select: { ownerId: true } })).toEqual({ ownerId: root.id });
    } finally {
      await t.close();
    }
  }, 120_000);
});
