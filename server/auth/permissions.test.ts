// Permission matrix against the real server and database (AUTH=local): owner / other user / anonymous /
// admin × view, run, save, tags, versions, delete, fork, change visibility, view run, view artifact, join socket rooms —
// for a private and a link-shared workflow (with and without its token, and after the token is revoked).
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fillGraph, join, sessionClient, startTestServer, tempDir, trpcOutcome, until, type SessionClient, type TestServer,
} from '../testing/harness';

let t: TestServer;
let dataDir: string;
let owner: SessionClient;
let other: SessionClient;
let anon: SessionClient;
let admin: SessionClient;

type Actor = 'owner' | 'other' | 'anon';
const actors = (): Record<Actor, SessionClient> => ({ owner, other, anon });


async function artifactStatus(c: SessionClient, id: string, token?: string): Promise<number> {
  const res = await fetch(`${t.url}/api/artifacts/${id}${token ? `?share=${encodeURIComponent(token)}` : ''}`, {
    headers: c.cookie() ? { cookie: c.cookie() } : {},
  });
  await res.arrayBuffer();
  return res.status;
}

async function joins(c: SessionClient, target: { runId: string; shareToken?: string } | { workflowId: string }): Promise<boolean> {
  const s = await t.socket(c.cookie() || undefined);
  const ack = await join(s, target);
  s.close();
  return ack.ok;
}

interface Shared { workflowId: string; runId: string; artifactId: string; token?: string }

async function ownerRun(workflowId: string): Promise<{ runId: string; artifactId: string }> {
  const { runId } = await owner.trpc.runs.enqueue.mutate({ workflowId });
  const run = await until(async () => {
    const r = await owner.trpc.runs.get.query({ runId });
    return r.status === 'succeeded' ? r : undefined;
  }, `run ${runId}`);
  return { runId, artifactId: run.artifacts.find((a) => a.kind === 'image')!.id };
}

/** One row of the matrix for one actor; `token` is what the actor presents. */
async function row(c: SessionClient, w: Shared, token?: string) {
  const id = w.workflowId;
  return {
    view: await trpcOutcome(c.trpc.workflows.get.query({ id, shareToken: token })),
    run: await trpcOutcome(c.trpc.runs.enqueue.mutate({ workflowId: id, shareToken: token })),
    save: await trpcOutcome(c.trpc.workflows.save.mutate({ id, graph: fillGraph('#00ff00') })),
    tags: await trpcOutcome(c.trpc.workflows.setTags.mutate({ id, tags: ['matrix'] })),
    versions: await trpcOutcome(c.trpc.workflows.versions.query({ id, shareToken: token })),
    fork: await trpcOutcome(c.trpc.workflows.fork.mutate({ id, shareToken: token })),
    visibility: await trpcOutcome(c.trpc.workflows.setVisibility.mutate({ id, visibility: token || c === owner ? 'link' : 'private' })),
    viewRun: await trpcOutcome(c.trpc.runs.get.query({ runId: w.runId, shareToken: token })),
    artifact: await artifactStatus(c, w.artifactId, token),
    joinRun: await joins(c, { runId: w.runId, shareToken: token }),
    joinWorkflow: await joins(c, { workflowId: id }),
  };
}

const OWNER = { view: 'ok', run: 'ok', save: 'ok', tags: 'ok', versions: 'ok', fork: 'ok', visibility: 'ok', viewRun: 'ok', artifact: 200, joinRun: true, joinWorkflow: true };
const OTHER_NO_ACCESS = {
  view: 'NOT_FOUND', run: 'NOT_FOUND', save: 'NOT_FOUND', tags: 'NOT_FOUND', versions: 'NOT_FOUND', fork: 'NOT_FOUND', visibility: 'NOT_FOUND',
  viewRun: 'NOT_FOUND', artifact: 404, joinRun: false, joinWorkflow: false,
};
const ANON_NO_ACCESS = {
  view: 'NOT_FOUND', run: 'UNAUTHORIZED', save: 'UNAUTHORIZED', tags: 'UNAUTHORIZED', versions: 'NOT_FOUND', fork: 'UNAUTHORIZED', visibility: 'UNAUTHORIZED',
  viewRun: 'NOT_FOUND', artifact: 404, joinRun: false, joinWorkflow: false,
};

let priv: Shared;
let link: Shared;

beforeAll(async () => {
  dataDir = tempDir('perm');
  t = await startTestServer(dataDir, { AUTH: 'local', ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'admin-secret-1' });
  owner = sessionClient(t.url);
  other = sessionClient(t.url);
  anon = sessionClient(t.url);
  admin = sessionClient(t.url);
  await owner.trpc.auth.signUp.mutate({ username: 'olga', password: 'olga-password' });
  await other.trpc.auth.signUp.mutate({ username: 'oscar', password: 'oscar-password' });
  await admin.trpc.auth.signIn.mutate({ username: 'root', password: 'admin-secret-1' });

  const p = await owner.trpc.workflows.create.mutate({ name: 'private one', graph: fillGraph() });
  priv = { workflowId: p.id, ...(await ownerRun(p.id)) };
  const l = await owner.trpc.workflows.create.mutate({ name: 'shared by link', graph: fillGraph('#0000ff') });
  const { shareToken } = await owner.trpc.workflows.setVisibility.mutate({ id: l.id, visibility: 'link' });
  link = { workflowId: l.id, token: shareToken!, ...(await ownerRun(l.id)) };
}, 120_000);

afterAll(async () => {
  await t?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('private workflow', () => {
  it('owner may do everything; other users and anonymous visitors may do nothing', async () => {
    const a = actors();
    expect(await row(a.owner, priv)).toEqual(OWNER);
    expect(await row(a.other, priv)).toEqual(OTHER_NO_ACCESS);
    expect(await row(a.anon, priv)).toEqual(ANON_NO_ACCESS);
    expect(await trpcOutcome(other.trpc.workflows.delete.mutate({ id: priv.workflowId }))).toBe('NOT_FOUND');
    expect(await trpcOutcome(anon.trpc.workflows.delete.mutate({ id: priv.workflowId }))).toBe('UNAUTHORIZED');
    expect(await trpcOutcome(other.trpc.workflows.rename.mutate({ id: priv.workflowId, name: 'mine now' }))).toBe('NOT_FOUND');
    // The owner's "visibility" cell above re-chose "link"; put it back to private.
    await owner.trpc.workflows.setVisibility.mutate({ id: priv.workflowId, visibility: 'private' });
    expect(await trpcOutcome(other.trpc.workflows.get.query({ id: priv.workflowId }))).toBe('NOT_FOUND');
  }, 60_000);

  it('an admin may view it and its runs but not edit it', async () => {
    expect(await trpcOutcome(admin.trpc.workflows.get.query({ id: priv.workflowId }))).toBe('ok');
    expect(await trpcOutcome(admin.trpc.runs.get.query({ runId: priv.runId }))).toBe('ok');
    expect(await artifactStatus(admin, priv.artifactId)).toBe(200);
    expect(await trpcOutcome(admin.trpc.workflows.save.mutate({ id: priv.workflowId, graph: fillGraph() }))).toBe('FORBIDDEN');
  });

  it('lists are per user: my library, my runs; explore shows only public workflows', async () => {
    expect((await owner.trpc.workflows.list.query()).map((w) => w.name).sort()).toEqual(
      expect.arrayContaining(['private one', 'shared by link']));
    const oscar = (await other.trpc.auth.me.query()).user!;
    expect((await other.trpc.workflows.list.query()).every((w) => w.ownerId === oscar.id)).toBe(true);
    expect((await other.trpc.workflows.list.query()).some((w) => w.id === priv.workflowId)).toBe(false);
    expect(await trpcOutcome(anon.trpc.workflows.list.query())).toBe('UNAUTHORIZED');
    expect((await other.trpc.runs.list.query({})).items.some((r) => r.id === priv.runId)).toBe(false);
    expect((await owner.trpc.runs.list.query({})).items.some((r) => r.id === priv.runId)).toBe(true);
    expect((await anon.trpc.workflows.explore.query()).map((w) => w.id)).not.toContain(priv.workflowId);
  });
});

describe('link-shared workflow', () => {
  it('with the token: others view, run, fork and watch the owner\'s run; only the owner edits', async () => {
    const a = actors();
    expect(await row(a.owner, link)).toEqual(OWNER);
    expect(await row(a.other, link, link.token)).toEqual({
      view: 'ok', run: 'ok', save: 'NOT_FOUND', tags: 'NOT_FOUND', versions: 'ok', fork: 'ok', visibility: 'NOT_FOUND',
      viewRun: 'ok', artifact: 200, joinRun: true, joinWorkflow: false,
    });
    expect(await row(a.anon, link, link.token)).toEqual({
      view: 'ok', run: 'UNAUTHORIZED', save: 'UNAUTHORIZED', tags: 'UNAUTHORIZED', versions: 'ok', fork: 'UNAUTHORIZED', visibility: 'UNAUTHORIZED',
      viewRun: 'ok', artifact: 200, joinRun: true, joinWorkflow: false,
    });
    expect(await trpcOutcome(other.trpc.workflows.delete.mutate({ id: link.workflowId }))).toBe('NOT_FOUND');
    // A viewer never learns the token from get; the owner does.
    expect((await other.trpc.workflows.get.query({ id: link.workflowId, shareToken: link.token })).shareToken).toBeNull();
    expect((await owner.trpc.workflows.get.query({ id: link.workflowId })).shareToken).toBe(link.token);
  }, 60_000);

  it('without the token it is as private as a private workflow', async () => {
    expect(await row(other, link)).toEqual(OTHER_NO_ACCESS);
    expect(await row(anon, link)).toEqual(ANON_NO_ACCESS);
    expect(await row(other, link, 'A'.repeat(32))).toEqual(OTHER_NO_ACCESS);
  }, 60_000);

  it('a fork lands in the forker\'s library with provenance; the forker\'s own runs stay theirs', async () => {
    const fork = await other.trpc.workflows.fork.mutate({ id: link.workflowId, shareToken: link.token });
    const src = await owner.trpc.workflows.get.query({ id: link.workflowId });
    expect(fork).toMatchObject({ forkedFromId: link.workflowId, forkedFromVersion: src.currentVersion, visibility: 'private' });
    expect((await other.trpc.workflows.list.query()).map((w) => w.id)).toContain(fork.id);
    expect(await trpcOutcome(other.trpc.workflows.save.mutate({ id: fork.id, graph: fillGraph('#123456') }))).toBe('ok');
    expect(await trpcOutcome(owner.trpc.workflows.get.query({ id: fork.id }))).toBe('NOT_FOUND');

    const { runId } = await other.trpc.runs.enqueue.mutate({ workflowId: link.workflowId, shareToken: link.token });
    expect(await trpcOutcome(other.trpc.runs.get.query({ runId }))).toBe('ok');
    expect(await trpcOutcome(owner.trpc.runs.get.query({ runId }))).toBe('NOT_FOUND');
    expect(await trpcOutcome(owner.trpc.runs.cancel.mutate({ runId }))).toBe('NOT_FOUND');
    expect(await trpcOutcome(anon.trpc.runs.get.query({ runId, shareToken: link.token }))).toBe('NOT_FOUND');
  }, 60_000);

  it('a regenerated token replaces the old one; a revoked token is refused everywhere', async () => {
    const { shareToken: fresh } = await owner.trpc.workflows.regenerateShareLink.mutate({ id: link.workflowId });
    expect(fresh).not.toBe(link.token);
    expect(Buffer.from(fresh, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(await trpcOutcome(other.trpc.workflows.get.query({ id: link.workflowId, shareToken: link.token }))).toBe('NOT_FOUND');
    expect(await trpcOutcome(other.trpc.workflows.get.query({ id: link.workflowId, shareToken: fresh }))).toBe('ok');

    expect(await owner.trpc.workflows.revokeShareLink.mutate({ id: link.workflowId })).toEqual(
      { id: link.workflowId, visibility: 'private', shareToken: null });
    expect(await row(other, link, fresh)).toEqual(OTHER_NO_ACCESS);
    expect(await row(anon, link, fresh)).toEqual(ANON_NO_ACCESS);
  }, 60_000);
});

describe('public workflow and delete', () => {
  it('public: anyone views it and the owner\'s runs, signed-in users run and fork it; only the owner deletes', async () => {
    await owner.trpc.workflows.setVisibility.mutate({ id: priv.workflowId, visibility: 'public' });
    expect((await anon.trpc.workflows.explore.query()).map((w) => w.id)).toContain(priv.workflowId);
    expect(await trpcOutcome(anon.trpc.workflows.get.query({ id: priv.workflowId }))).toBe('ok');
    expect(await artifactStatus(anon, priv.artifactId)).toBe(200);
    expect(await trpcOutcome(anon.trpc.runs.enqueue.mutate({ workflowId: priv.workflowId }))).toBe('UNAUTHORIZED');
    expect(await trpcOutcome(other.trpc.runs.enqueue.mutate({ workflowId: priv.workflowId }))).toBe('ok');
    expect(await trpcOutcome(other.trpc.workflows.save.mutate({ id: priv.workflowId, graph: fillGraph() }))).toBe('FORBIDDEN');
    expect(await trpcOutcome(other.trpc.workflows.setTags.mutate({ id: priv.workflowId, tags: ['mine'] }))).toBe('FORBIDDEN');
    expect(await trpcOutcome(anon.trpc.workflows.versions.query({ id: priv.workflowId }))).toBe('ok');
    expect(await trpcOutcome(other.trpc.workflows.delete.mutate({ id: priv.workflowId }))).toBe('FORBIDDEN');
    expect(await trpcOutcome(anon.trpc.workflows.delete.mutate({ id: priv.workflowId }))).toBe('UNAUTHORIZED');
    expect(await trpcOutcome(owner.trpc.workflows.delete.mutate({ id: priv.workflowId }))).toBe('ok');
    expect(await trpcOutcome(anon.trpc.workflows.get.query({ id: priv.workflowId }))).toBe('NOT_FOUND');
  }, 60_000);
});
