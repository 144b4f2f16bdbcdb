// Access changes reach open sockets and old links at once (AUTH=local, real server, real Socket.io clients): a
// revoked or private workflow's run rooms lose their viewers, a reset password or deleted account drops that
// user's sockets, link → private → link issues a new token, and other people's runs stay out of the owner's room.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fillGraph, join, recordEvents, runEnded, sessionClient, trpcOutcome, until, type SessionClient, type TestSocket, startTeamServer, type TeamServer,
} from '../testing/harness';

let t: TeamServer;
let ann: SessionClient;
let bob: SessionClient;
let admin: SessionClient;
const anon = () => sessionClient(t.url);

beforeAll(async () => {
  t = await startTeamServer('access-changes');
  ({ ann, bob, admin } = t);
}, 60_000);

afterAll(() => t?.close());

const finished = (c: SessionClient, runId: string) => runEnded(c, runId, 60_000);

/** Ann's link-shared workflow with one finished run of hers. */
async function sharedRun(name: string) {
  const w = await ann.trpc.workflows.create.mutate({ name, graph: fillGraph('#2040a0') });
  const { shareToken } = await ann.trpc.workflows.setVisibility.mutate({ id: w.id, visibility: 'link' });
  const { runId } = await ann.trpc.runs.enqueue.mutate({ workflowId: w.id });
  expect((await finished(ann, runId)).status).toBe('succeeded');
  return { workflowId: w.id, runId, token: shareToken! };
}

function inRoom(s: TestSocket, room: string): boolean {
  return Boolean(t.server.io.of('/').adapter.rooms.get(room)?.has(s.id!));
}

/**
 * Sends an event to `room`, then one straight to the socket: Socket.io keeps a socket's order, so once the second
 * arrives, the first has arrived too if it was going to. Returns the run ids the socket got for the room event.
 */
async function roomEventReaches(s: TestSocket, room: string, runId: string): Promise<boolean> {
  const seen = recordEvents(s);
  const marker = `marker-${Math.random()}`;
  t.server.io.to(room).emit('run:position', { runId, position: 99 });
  t.server.io.to(s.id!).emit('run:position', { runId: marker, position: 1 });
  await until(() => seen.some((e) => e.payload.runId === marker), 'the marker event', 5_000);
  return seen.some((e) => e.payload.runId === runId);
}

describe('share links', () => {
  it('link → private → link issues a new token; the old one answers 404 everywhere', async () => {
    const w = await ann.trpc.workflows.create.mutate({ name: 'relinked', graph: fillGraph() });
    const first = (await ann.trpc.workflows.setVisibility.mutate({ id: w.id, visibility: 'link' })).shareToken!;
    expect(await trpcOutcome(bob.trpc.workflows.get.query({ id: w.id, shareToken: first }))).toBe('ok');
    expect(await ann.trpc.workflows.setVisibility.mutate({ id: w.id, visibility: 'private' })).toEqual({ id: w.id, visibility: 'private', shareToken: null });
    const second = (await ann.trpc.workflows.setVisibility.mutate({ id: w.id, visibility: 'link' })).shareToken!;
    expect(second).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(second).not.toBe(first);
    expect(await trpcOutcome(bob.trpc.workflows.get.query({ id: w.id, shareToken: first }))).toBe('NOT_FOUND');
    expect(await trpcOutcome(anon().trpc.workflows.versions.query({ id: w.id, shareToken: first }))).toBe('NOT_FOUND');
    expect(await trpcOutcome(bob.trpc.workflows.get.query({ id: w.id, shareToken: second }))).toBe('ok');
  });
});

describe('open sockets lose revoked access within a second', () => {
  it('revoking the link takes signed-in and anonymous viewers out of the run room', async () => {
    const shared = await sharedRun('revoked live');
    const room = `run:${shared.runId}`;
    const bobSocket = await t.socket(bob.cookie());
    const anonSocket = await t.socket();
    const annSocket = await t.socket(ann.cookie());
    for (const s of [bobSocket, anonSocket]) expect((await join(s, { runId: shared.runId, shareToken: shared.token })).ok).toBe(true);
    expect((await join(annSocket, { runId: shared.runId })).ok).toBe(true);
    expect(await roomEventReaches(bobSocket, room, shared.runId)).toBe(true);

    await ann.trpc.workflows.revokeShareLink.mutate({ id: shared.workflowId });
    await until(() => !inRoom(bobSocket, room) && !inRoom(anonSocket, room), 'viewers out of the room', 1_000);
    expect(await roomEventReaches(bobSocket, room, shared.runId)).toBe(false);
    expect(await roomEventReaches(anonSocket, room, shared.runId)).toBe(false);
    // The owner keeps watching; a rejoin with the old token is refused.
    expect(inRoom(annSocket, room)).toBe(true);
    expect(await roomEventReaches(annSocket, room, shared.runId)).toBe(true);
    expect(await join(bobSocket, { runId: shared.runId, shareToken: shared.token })).toMatchObject({ ok: false });
  });

  it('making the workflow private, or regenerating its link, does the same; Bob\'s own run room stays his', async () => {
    const shared = await sharedRun('made private live');
    const bobSocket = await t.socket(bob.cookie());
    const { runId: bobRun } = await bob.trpc.runs.enqueue.mutate({ workflowId: shared.workflowId, shareToken: shared.token });
    expect((await join(bobSocket, { runId: shared.runId, shareToken: shared.token })).ok).toBe(true);
    expect((await join(bobSocket, { runId: bobRun })).ok).toBe(true);
    await ann.trpc.workflows.setVisibility.mutate({ id: shared.workflowId, visibility: 'private' });
    await until(() => !inRoom(bobSocket, `run:${shared.runId}`), 'Bob out of the owner\'s run room', 1_000);
    expect(inRoom(bobSocket, `run:${bobRun}`)).toBe(true);

    const again = await sharedRun('regenerated live');
    expect((await join(bobSocket, { runId: again.runId, shareToken: again.token })).ok).toBe(true);
    await ann.trpc.workflows.regenerateShareLink.mutate({ id: again.workflowId });
    await until(() => !inRoom(bobSocket, `run:${again.runId}`), 'Bob out after the link changed', 1_000);
    await finished(bob, bobRun);
  });

  it('a password reset disconnects that user\'s sockets; other users\' stay', async () => {
    const carl = sessionClient(t.url);
    await carl.trpc.auth.signUp.mutate({ username: 'carl', password: 'carl-password' });
    const carlId = (await carl.trpc.auth.me.query()).user!.id;
    const idle = await t.socket(carl.cookie()); // in no room at all
    const watching = await t.socket(carl.cookie());
    const { runId } = await carl.trpc.runs.enqueue.mutate({ graph: fillGraph() });
    expect((await join(watching, { runId })).ok).toBe(true);
    const bystander = await t.socket(bob.cookie());

    await admin.trpc.admin.resetPassword.mutate({ id: carlId, password: 'new-carl-password' });
    await until(() => !idle.connected && !watching.connected, 'Carl\'s sockets disconnected', 1_000);
    expect(inRoom(watching, `run:${runId}`)).toBe(false);
    expect(bystander.connected).toBe(true);
  });

  it('deleting a user disconnects their sockets and takes link viewers out of their moved workflows', async () => {
    const dora = sessionClient(t.url);
    await dora.trpc.auth.signUp.mutate({ username: 'dora', password: 'dora-password' });
    const doraId = (await dora.trpc.auth.me.query()).user!.id;
    const w = await dora.trpc.workflows.create.mutate({ name: 'dora shares', graph: fillGraph() });
    const { shareToken } = await dora.trpc.workflows.setVisibility.mutate({ id: w.id, visibility: 'link' });
    const { runId } = await dora.trpc.runs.enqueue.mutate({ workflowId: w.id });
    await finished(dora, runId);
    const doraSocket = await t.socket(dora.cookie());
    const bobSocket = await t.socket(bob.cookie());
    expect((await join(bobSocket, { runId, shareToken: shareToken! })).ok).toBe(true);

    await admin.trpc.admin.deleteUser.mutate({ id: doraId });
    await until(() => !doraSocket.connected && !inRoom(bobSocket, `run:${runId}`), 'Dora gone, Bob out', 1_000);
    expect(bobSocket.connected).toBe(true);
  });
});

describe('runs of someone else\'s workflow are the runner\'s', () => {
  it('stay out of the owner\'s workflow room, run list and run view', async () => {
    const shared = await sharedRun('viewed, not forked');
    const annSocket = await t.socket(ann.cookie());
    const joined = await join(annSocket, { workflowId: shared.workflowId });
    expect(joined.ok).toBe(true);
    const seen = recordEvents(annSocket);

    const { runId: bobRun } = await bob.trpc.runs.enqueue.mutate({ workflowId: shared.workflowId, shareToken: shared.token });
    // While Bob's run is queued or running, the room's "active runs" on join leave it out too.
    const late = await t.socket(ann.cookie());
    const lateAck = await join(late, { workflowId: shared.workflowId });
    expect(lateAck.ok && (lateAck.active ?? []).map((r) => r.runId)).not.toContain(bobRun);
    expect((await finished(bob, bobRun)).status).toBe('succeeded');
    const { runId: annRun } = await ann.trpc.runs.enqueue.mutate({ workflowId: shared.workflowId });
    await finished(ann, annRun);
    await until(() => seen.some((e) => e.name === 'run:finished' && e.payload.runId === annRun), 'Ann\'s run:finished in her room');

    expect([...new Set(seen.map((e) => e.payload.runId))]).toEqual([annRun]);
    expect(seen.filter((e) => e.payload.runId === annRun).map((e) => e.name)).toEqual(expect.arrayContaining(['run:queued', 'run:started', 'node:finished', 'run:finished']));
    const annList = await ann.trpc.runs.list.query({ workflowId: shared.workflowId });
    expect(annList.items.map((r) => r.id).sort()).toEqual([shared.runId, annRun].sort());
    expect(await trpcOutcome(ann.trpc.runs.get.query({ runId: bobRun }))).toBe('NOT_FOUND');
    expect((await bob.trpc.runs.list.query({ workflowId: shared.workflowId })).items.map((r) => r.id)).toEqual([bobRun]);
  });
});
