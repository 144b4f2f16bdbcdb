// Library features of shared pipelines against the real server and database (AUTH=local): the "Shared with
// link" tab (visits), tags and search, version authors, fork provenance, and ownerless rows going to the admin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adoptOwnerless } from './admin';
import { fillGraph, trpcOutcome, until, type SessionClient, startTeamServer, type TeamServer } from '../testing/harness';

let t: TeamServer;
let ann: SessionClient;
let bob: SessionClient;
let admin: SessionClient;


beforeAll(async () => {
  t = await startTeamServer('sharing');
  ({ ann, bob, admin } = t);
}, 60_000);

afterAll(() => t?.close());

describe('shared with link', () => {
  it('lists workflows I opened by link, with the token, until the link is revoked', async () => {
    const w = await ann.trpc.workflows.create.mutate({ name: 'Ann poster', graph: fillGraph() });
    const { shareToken } = await ann.trpc.workflows.setVisibility.mutate({ id: w.id, visibility: 'link' });
    expect(await bob.trpc.workflows.shared.query()).toEqual([]);
    // A wrong token is refused and leaves no trace.
    expect(await trpcOutcome(bob.trpc.workflows.get.query({ id: w.id, shareToken: 'x'.repeat(32) }))).toBe('NOT_FOUND');
    expect(await bob.trpc.workflows.shared.query()).toEqual([]);

    const seen = await bob.trpc.workflows.get.query({ id: w.id, shareToken: shareToken! });
    expect(seen).toMatchObject({ name: 'Ann poster', ownerName: 'ann', canEdit: false, shareToken: null });
    const shared = await bob.trpc.workflows.shared.query();
    expect(shared.map((s) => [s.id, s.ownerName, s.shareToken])).toEqual([[w.id, 'ann', shareToken]]);
    expect(shared[0].thumbnailUrl).toBeNull(); // nobody ran it yet

    // Ann runs it: Bob's card shows her output's thumbnail through the link's token (without it: 404).
    const { runId } = await ann.trpc.runs.enqueue.mutate({ workflowId: w.id });
    await until(async () => ((await ann.trpc.runs.get.query({ runId })).status === 'succeeded' ? true : undefined), 'ann\'s run');
    const card = (await bob.trpc.workflows.shared.query())[0];
    expect(card.thumbnailUrl).toMatch(new RegExp(`^/api/artifacts/[^?]+\\?share=${shareToken}$`));
    const withToken = await fetch(`${t.url}${card.thumbnailUrl}`, { headers: { cookie: bob.cookie() } });
    expect([withToken.status, withToken.headers.get('content-type')]).toEqual([200, 'image/webp']);
    const without = await fetch(`${t.url}${card.thumbnailUrl!.split('?')[0]}`, { headers: { cookie: bob.cookie() } });
    expect(without.status).toBe(404);
    // The owner's own visits do not count; the owner's library is "Mine".
    await ann.trpc.workflows.get.query({ id: w.id, shareToken: shareToken! });
    expect(await ann.trpc.workflows.shared.query()).toEqual([]);

    const { shareToken: fresh } = await ann.trpc.workflows.regenerateShareLink.mutate({ id: w.id });
    expect(await bob.trpc.workflows.shared.query()).toEqual([]); // the stored token no longer opens it
    await bob.trpc.workflows.get.query({ id: w.id, shareToken: fresh });
    expect((await bob.trpc.workflows.shared.query()).map((s) => s.shareToken)).toEqual([fresh]);
    await ann.trpc.workflows.revokeShareLink.mutate({ id: w.id });
    expect(await bob.trpc.workflows.shared.query()).toEqual([]);
    expect(await trpcOutcome(bob.trpc.workflows.get.query({ id: w.id, shareToken: fresh }))).toBe('NOT_FOUND');
  });
});

describe('tags and search', () => {
  it('only the owner sets tags; lists search name and tags', async () => {
    const a = await ann.trpc.workflows.create.mutate({ name: 'Portrait refine', graph: fillGraph() });
    const b = await ann.trpc.workflows.create.mutate({ name: 'Sprites', graph: fillGraph() });
    const before = await ann.trpc.workflows.get.query({ id: a.id });
    expect(await ann.trpc.workflows.setTags.mutate({ id: a.id, tags: [' Faces', '#ESRGAN', 'faces'] })).toEqual({ id: a.id, tags: ['faces', 'esrgan'] });
    const after = await ann.trpc.workflows.get.query({ id: a.id });
    expect(after.tags).toEqual(['faces', 'esrgan']);
    expect(after.updatedAt.getTime()).toBe(before.updatedAt.getTime()); // tags are not an edit
    expect(await trpcOutcome(bob.trpc.workflows.setTags.mutate({ id: a.id, tags: ['mine'] }))).toBe('NOT_FOUND');
    expect(await trpcOutcome(ann.trpc.workflows.setTags.mutate({ id: a.id, tags: ['<b>'] }))).toBe('BAD_REQUEST');

    const names = async (query: string) => (await ann.trpc.workflows.list.query({ query })).map((w) => w.name).sort();
    expect(await names('portrait')).toEqual(['Portrait refine']);
    expect(await names('#faces')).toEqual(['Portrait refine']);
    expect(await names('#sprites')).toEqual([]); // a name, not a tag
    expect(await names('sprites')).toEqual(['Sprites']);

    await ann.trpc.workflows.setVisibility.mutate({ id: b.id, visibility: 'public' });
    await ann.trpc.workflows.setTags.mutate({ id: b.id, tags: ['pixel art'] });
    const explore = await bob.trpc.workflows.explore.query({ query: '#pixel' });
    expect(explore.map((w) => [w.name, w.ownerName, w.tags])).toEqual([['Sprites', 'ann', ['pixel art']]]);
    expect(await bob.trpc.workflows.explore.query({ query: 'portrait' })).toEqual([]); // private stays out
  });
});

describe('versions and forks', () => {
  it('versions carry their author; a fork names its source and version', async () => {
    const w = await ann.trpc.workflows.create.mutate({ name: 'Versioned', graph: fillGraph('#ff0000') });
    await ann.trpc.workflows.save.mutate({ id: w.id, graph: fillGraph('#00ff00'), message: 'green' });
    await ann.trpc.workflows.setVisibility.mutate({ id: w.id, visibility: 'public' });
    const versions = await bob.trpc.workflows.versions.query({ id: w.id });
    expect(versions.map((v) => [v.number, v.author, v.message])).toEqual([[2, 'ann', 'green'], [1, 'ann', 'created']]);
    // Any version can be read (read-only for others).
    const v1 = await bob.trpc.workflows.get.query({ id: w.id, version: 1 });
    expect(v1.version).toMatchObject({ number: 1, author: 'ann' });
    expect(v1.currentVersion).toBe(2);

    const fork = await bob.trpc.workflows.fork.mutate({ id: w.id });
    const mine = await bob.trpc.workflows.get.query({ id: fork.id });
    expect(mine).toMatchObject({ canEdit: true, ownerName: 'bob', forkedFrom: { id: w.id, name: 'Versioned', version: 2, viewable: true } });
    expect((await bob.trpc.workflows.versions.query({ id: fork.id }))[0]).toMatchObject({ author: 'bob', message: 'forked from Versioned version 2' });
    // A source gone private stays a name, not a link.
    await ann.trpc.workflows.setVisibility.mutate({ id: w.id, visibility: 'private' });
    expect((await bob.trpc.workflows.get.query({ id: fork.id })).forkedFrom).toMatchObject({ name: 'Versioned', viewable: false });
  });
});

describe('ownerless workflows', () => {
  it('go to the admin when accounts are on', async () => {
    const db = t.server.services.db;
    const row = await db.workflow.create({ data: { name: 'from AUTH=none days', currentVersion: 0 } });
    const moved = await adoptOwnerless(db, t.server.services.env, () => undefined);
    expect(moved).toBe(1);
    const rootUser = (await admin.trpc.auth.me.query()).user!;
    expect((await db.workflow.findUniqueOrThrow({ where: { id: row.id } })).ownerId).toBe(rootUser.id);
    expect((await admin.trpc.workflows.list.query()).map((w) => w.id)).toContain(row.id);
  });
});
