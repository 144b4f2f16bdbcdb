// Account management by admins against the real server and database (AUTH=local, SIGNUP=closed): only admins
// may use it; created users sign in; a reset password ends the user's sessions; an admin keeps their own rights;
// a deleted user's workflows move (private) to the deleting admin and their runs stay.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fillGraph, sessionClient, startTestServer, tempDir, trpcOutcome, until, type SessionClient, type TestServer,
} from '../testing/harness';

let t: TestServer;
let dataDir: string;
let root: SessionClient;

beforeAll(async () => {
  dataDir = tempDir('admin-users');
  t = await startTestServer(dataDir, { AUTH: 'local', SIGNUP: 'closed', ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'admin-secret-1' });
  root = sessionClient(t.url);
  await root.trpc.auth.signIn.mutate({ username: 'root', password: 'admin-secret-1' });
}, 60_000);

afterAll(async () => {
  await t?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('admin: accounts', () => {
  it('with sign-up closed, only an admin creates accounts; non-admins and visitors may not manage them', async () => {
    const visitor = sessionClient(t.url);
    expect(await visitor.trpc.auth.me.query()).toMatchObject({ auth: 'local', signup: 'closed', user: null });
    const refused = await trpcOutcome(visitor.trpc.auth.signUp.mutate({ username: 'eve', password: 'eve-password' }));
    expect(refused).toBe('FORBIDDEN');
    expect(await trpcOutcome(visitor.trpc.admin.users.query())).toBe('UNAUTHORIZED');

    expect(await root.trpc.admin.createUser.mutate({ username: 'Nina', password: 'nina-password' })).toMatchObject({ username: 'nina', isAdmin: false });
    expect(await trpcOutcome(root.trpc.admin.createUser.mutate({ username: 'nina', password: 'other-password' }))).toBe('CONFLICT');
    const nina = sessionClient(t.url);
    await nina.trpc.auth.signIn.mutate({ username: 'nina', password: 'nina-password' });
    expect(await trpcOutcome(nina.trpc.admin.users.query())).toBe('FORBIDDEN');
    expect(await trpcOutcome(nina.trpc.admin.createUser.mutate({ username: 'mallory', password: 'mallory-pass' }))).toBe('FORBIDDEN');

    const users = await root.trpc.admin.users.query();
    expect(users.map((u) => [u.username, u.isAdmin, u.sessions])).toEqual([['nina', false, 1], ['root', true, 1]]);
  });

  it('a reset password works at once and signs the user out everywhere', async () => {
    const nina = sessionClient(t.url);
    await nina.trpc.auth.signIn.mutate({ username: 'nina', password: 'nina-password' });
    const id = (await nina.trpc.auth.me.query()).user!.id;
    expect(await root.trpc.admin.resetPassword.mutate({ id, password: 'temporary-pass-9' })).toEqual({ id, sessionsEnded: 2 });
    expect((await nina.trpc.auth.me.query()).user).toBeNull();
    expect(await trpcOutcome(sessionClient(t.url).trpc.auth.signIn.mutate({ username: 'nina', password: 'nina-password' }))).toBe('UNAUTHORIZED');
    await nina.trpc.auth.signIn.mutate({ username: 'nina', password: 'temporary-pass-9' });
  });

  it('admin rights are granted and taken, never by an admin from themself', async () => {
    const me = (await root.trpc.auth.me.query()).user!;
    expect(await trpcOutcome(root.trpc.admin.setAdmin.mutate({ id: me.id, isAdmin: false }))).toBe('BAD_REQUEST');
    expect(await trpcOutcome(root.trpc.admin.deleteUser.mutate({ id: me.id }))).toBe('BAD_REQUEST');
    const nina = (await root.trpc.admin.users.query()).find((u) => u.username === 'nina')!;
    await root.trpc.admin.setAdmin.mutate({ id: nina.id, isAdmin: true });
    const ninaClient = sessionClient(t.url);
    await ninaClient.trpc.auth.signIn.mutate({ username: 'nina', password: 'temporary-pass-9' });
    expect(await trpcOutcome(ninaClient.trpc.admin.users.query())).toBe('ok');
    await root.trpc.admin.setAdmin.mutate({ id: nina.id, isAdmin: false });
    expect(await trpcOutcome(ninaClient.trpc.admin.users.query())).toBe('FORBIDDEN');
  });

  it('deleting a user keeps their work: workflows move to the admin (private, links revoked), runs stay', async () => {
    await root.trpc.admin.createUser.mutate({ username: 'otto', password: 'otto-password' });
    const otto = sessionClient(t.url);
    await otto.trpc.auth.signIn.mutate({ username: 'otto', password: 'otto-password' });
    const w = await otto.trpc.workflows.create.mutate({ name: 'Otto poster', graph: fillGraph() });
    const { shareToken } = await otto.trpc.workflows.setVisibility.mutate({ id: w.id, visibility: 'link' });
    const { runId } = await otto.trpc.runs.enqueue.mutate({ workflowId: w.id });
    await until(async () => ((await otto.trpc.runs.get.query({ runId })).status === 'succeeded' ? true : undefined), 'otto\'s run');
    await otto.trpc.tokens.create.mutate({ name: 'script' });

    const ottoId = (await otto.trpc.auth.me.query()).user!.id;
    expect(await root.trpc.admin.deleteUser.mutate({ id: ottoId })).toEqual({ id: ottoId, deleted: true, workflowsMoved: 1 });
    expect((await otto.trpc.auth.me.query()).user).toBeNull();
    const moved = await root.trpc.workflows.get.query({ id: w.id });
    expect(moved).toMatchObject({ canEdit: true, ownerName: 'root', visibility: 'private', shareToken: null });
    expect(await trpcOutcome(sessionClient(t.url).trpc.workflows.get.query({ id: w.id, shareToken: shareToken! }))).toBe('NOT_FOUND');
    const db = t.server.services.db;
    expect(await db.run.findUnique({ where: { id: runId }, select: { userId: true, status: true } })).toEqual({ userId: null, status: 'succeeded' });
    expect(await db.apiToken.count({ where: { userId: ottoId } })).toBe(0);
    expect((await root.trpc.admin.users.query()).map((u) => u.username)).toEqual(['nina', 'root']);
  });
});
