// Accounts across scaled web servers (AUTH=local, real Redis, one shared database): a session made on one server
// works on the other; a run of server A's own worker host (WORKERS=1 in scaled mode) is watched from server B by
// someone holding the share link; when the owner revokes the link on A, B drops that socket from the room too
// (access changes travel between servers through the Socket.io Redis adapter). Failed sign-ins count in Redis, so
// two servers behind one URL grant no more guesses than one; one user's enqueues are serialised across servers, so
// the queued-runs quota holds however they interleave.
import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testRedis } from '../testing/cluster';
import {
  fillGraph, join, sessionClient, startTestServer, tempDir, TEAM_ADMIN, until, type SessionClient, type TestServer,
} from '../testing/harness';

const redis = testRedis();
const dir = tempDir('cluster-team');
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  const env = { ...redis.env, AUTH: 'local', ADMIN_USERNAME: TEAM_ADMIN.username, ADMIN_PASSWORD: TEAM_ADMIN.password, MAX_QUEUED_RUNS_PER_USER: '3' };
  a = await startTestServer(dir, { ...env, WORKERS: '1' });
  b = await startTestServer(dir, env);
}, 60_000);

afterAll(async () => {
  await b?.close();
  await a?.close();
  await redis.drop();
  fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

it('drops a watcher on B when the owner revokes the share link on A', async () => {
  const ann: SessionClient = sessionClient(a.url);
  await ann.trpc.auth.signUp.mutate({ username: 'ann', password: 'ann-password' });
  const bob: SessionClient = sessionClient(b.url);
  await bob.trpc.auth.signUp.mutate({ username: 'bob', password: 'bob-password' });

  const w = await ann.trpc.workflows.create.mutate({ name: 'shared', graph: fillGraph('#3060c0', 8, 8) });
  const { shareToken } = await ann.trpc.workflows.setVisibility.mutate({ id: w.id, visibility: 'link' });
  const { runId } = await ann.trpc.runs.enqueue.mutate({ workflowId: w.id });
  const done = await until(async () => {
    const r = await ann.trpc.runs.get.query({ runId });
    return ['succeeded', 'failed'].includes(r.status) ? r : undefined;
  }, 'ann\'s run on A\'s own worker host');
  expect(done.status).toBe('succeeded');
  expect((await a.server.services.db.run.findUniqueOrThrow({ where: { id: runId } })).workerId).toMatch(/^local1-/);

  const watcher = await b.socket(bob.cookie());
  expect((await join(watcher, { runId, shareToken: shareToken! })).ok).toBe(true);
  const inRoom = () => Boolean(b.server.io.of('/').adapter.rooms.get(`run:${runId}`)?.has(watcher.id!));
  expect(inRoom()).toBe(true);

  await ann.trpc.workflows.setVisibility.mutate({ id: w.id, visibility: 'private' });
  await until(() => (inRoom() ? undefined : true), 'B to drop bob\'s socket from the run room', 5_000);
  expect((await join(watcher, { runId, shareToken: shareToken! })).ok).toBe(false);
}, 90_000);

it('counts failed sign-ins across both servers: the sixth guess is refused on either', async () => {
  const outcomes: string[] = [];
  for (let i = 0; i < 6; i++) {
    const c = sessionClient((i % 2 ? b : a).url);
    outcomes.push(await c.trpc.auth.signIn.mutate({ username: 'bob', password: `wrong-password-${i}` }).then(() => 'ok', (e: { data?: { code?: string } }) => e.data?.code ?? 'error'));
  }
  expect(outcomes).toEqual(['UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED', 'TOO_MANY_REQUESTS']);
  // Even the right password waits now, on the other server too.
  const right = await sessionClient(a.url).trpc.auth.signIn.mutate({ username: 'bob', password: 'bob-password' }).catch((e: Error) => e);
  expect((right as Error).message).toMatch(/^too many failed sign-ins: wait \d+ s and try again$/);
});

it('holds one user to MAX_QUEUED_RUNS_PER_USER across both servers, however the enqueues interleave', async () => {
  const onA = sessionClient(a.url);
  await onA.trpc.auth.signUp.mutate({ username: 'carol', password: 'carol-password' });
  const onB = sessionClient(b.url, { cookie: onA.cookie() });
  // Nobody serves pool "nobody": every run accepted stays queued and counts.
  const tries = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => (i % 2 ? onB : onA).trpc.runs.enqueue.mutate({
    graph: fillGraph(`#00${(i * 16).toString(16).padStart(2, '0')}00`, 8, 8), pool: 'nobody',
  })));
  const refused = tries.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  expect(tries.length - refused.length).toBe(3);
  for (const r of refused) expect((r.reason as Error).message).toMatch(/MAX_QUEUED_RUNS_PER_USER \(3\)/);
  const carol = await a.server.services.db.user.findUniqueOrThrow({ where: { username: 'carol' } });
  expect(await a.server.services.db.run.count({ where: { userId: carol.id, status: 'queued' } })).toBe(3);
});
