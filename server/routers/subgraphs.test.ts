// The subgraph library over HTTP with accounts on, on SQLite and on PostgreSQL: save makes an entry, saving again a
// version; private entries are their owner's, public ones read-only for everyone else; rename and (soft) delete are
// the owner's, and a workflow pinning a deleted entry keeps its copy; nested subgraphs travel with their definitions,
// and an entry that would contain itself is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTeamServer, trpcOutcome, trpcRejection, type TeamServer } from '../testing/harness';
import { createTestDatabase, type TestDatabase } from '../testing/postgres';
import { wrapperDefinition } from '../../nodes/engine/testing/subgraph-wrapper';

const definition = (text: string) => ({
  name: 'ignored: the entry name wins',
  nodes: [{ id: 'positive', type: 'text_encoder', typeVersion: 1, params: { text } }],
  edges: [],
  inputs: [{ name: 'clip', type: 'CLIP', to: [{ node: 'positive', input: 'clip' }] }],
  outputs: [{ name: 'conditioning', type: 'CONDITIONING', from: { node: 'positive', output: 'conditioning' } }],
  params: [{ name: 'text', node: 'positive', param: 'text' }],
  library: { id: 'elsewhere', version: 9 },
});

describe.each(['SQLite', 'PostgreSQL'])('subgraphs library on %s', (engine) => {
  let t: TeamServer;
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    if (engine === 'PostgreSQL') database = await createTestDatabase();
    t = await startTeamServer(`subgraphs-${engine}`, database ? { DATABASE_URL: database.url } : {});
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  it('saves, versions, lists and reads back the owner\'s subgraphs only', async () => {
    const first = await t.ann.trpc.subgraphs.save.mutate({ name: 'Prompt', definition: definition('a red circle') });
    expect(first).toMatchObject({ name: 'Prompt', version: 1 });
    const second = await t.ann.trpc.subgraphs.save.mutate({ id: first.id, name: 'Prompt v2', definition: definition('a blue star') });
    expect(second).toEqual({ id: first.id, name: 'Prompt v2', version: 2 });

    const list = await t.ann.trpc.subgraphs.list.query();
    expect(list.map((s) => [s.id, s.name, s.version, s.mine, s.owner, s.visibility, s.definition.nodes[0].params.text]))
      .toEqual([[first.id, 'Prompt v2', 2, true, 'ann', 'private', 'a blue star']]);
    // Stored without the pin it came with, named as the entry.
    expect(list[0].definition.library).toBeUndefined();
    expect(list[0].definition.name).toBe('Prompt v2');
    expect(list[0].subgraphs).toEqual({});
    const v1 = await t.ann.trpc.subgraphs.get.query({ id: first.id, version: 1 });
    expect([v1.version, v1.latest, v1.definition.nodes[0].params.text]).toEqual([1, 2, 'a red circle']);
    expect((await trpcRejection(t.ann.trpc.subgraphs.get.query({ id: first.id, version: 3 }))).message).toBe('library subgraph "Prompt v2" has no version 3');

    // Bob sees none of it and cannot add versions to it, rename, share or delete it.
    expect(await t.bob.trpc.subgraphs.list.query()).toEqual([]);
    expect(await trpcOutcome(t.bob.trpc.subgraphs.get.query({ id: first.id }))).toBe('NOT_FOUND');
    expect(await trpcOutcome(t.bob.trpc.subgraphs.save.mutate({ id: first.id, name: 'Mine', definition: definition('x') }))).toBe('NOT_FOUND');
    expect(await trpcOutcome(t.bob.trpc.subgraphs.rename.mutate({ id: first.id, name: 'Mine' }))).toBe('NOT_FOUND');
    expect(await trpcOutcome(t.bob.trpc.subgraphs.delete.mutate({ id: first.id }))).toBe('NOT_FOUND');
    expect(await trpcOutcome(t.bob.trpc.subgraphs.setVisibility.mutate({ id: first.id, visibility: 'public' }))).toBe('NOT_FOUND');
    expect((await t.ann.trpc.subgraphs.get.query({ id: first.id })).version).toBe(2);
  });

  it('refuses a definition that is not one, or uses a subgraph it does not carry', async () => {
    const bad = await trpcRejection(t.ann.trpc.subgraphs.save.mutate({ name: 'Bad', definition: { ...definition('x'), inputs: [{ name: 'clip', type: 'CLIP', to: [] }] } }));
    expect(bad.data?.code).toBe('BAD_REQUEST');
    expect(bad.message).toMatch(/^not a valid subgraph: inputs\.0\.to: /);
    const nested = await trpcRejection(t.ann.trpc.subgraphs.save.mutate({ name: 'Nested', definition: wrapperDefinition('Nested', 'k') }));
    expect([nested.data?.code, nested.message]).toEqual(['BAD_REQUEST', 'subgraph node "inner" inside "Nested" uses definition "k", which is missing']);
    const loop = await trpcRejection(t.ann.trpc.subgraphs.save.mutate({ name: 'Loop', definition: wrapperDefinition('Loop', 'a'), subgraphs: { a: wrapperDefinition('A', 'a') } }));
    expect(loop.message).toBe('subgraph "A" contains itself (Loop → A → A)');
  });

  it('renames and soft-deletes for the owner; a workflow pinning the deleted entry keeps its copy', async () => {
    const entry = await t.ann.trpc.subgraphs.save.mutate({ name: 'Blur', definition: definition('soft') });
    expect(await t.ann.trpc.subgraphs.rename.mutate({ id: entry.id, name: '  Soft blur ' })).toEqual({ id: entry.id, name: 'Soft blur' });
    const listed = (await t.ann.trpc.subgraphs.list.query()).find((s) => s.id === entry.id)!;
    expect([listed.name, listed.version, listed.definition.name]).toEqual(['Soft blur', 1, 'Soft blur']);
    expect((await trpcRejection(t.ann.trpc.subgraphs.rename.mutate({ id: entry.id, name: '  ' }))).message).toMatch(/give the subgraph a name/);

    // A workflow embedding version 1 as a copy pinned to the entry.
    const copy = { ...(await t.ann.trpc.subgraphs.get.query({ id: entry.id })).definition, library: { id: entry.id, version: 1 } };
    const graph = { version: 3, nodes: [{ id: 'blur', type: 'subgraph', typeVersion: 1, params: { text: 'soft' }, subgraph: 'blur_def' }], edges: [], subgraphs: { blur_def: copy } };
    const w = await t.ann.trpc.workflows.create.mutate({ name: 'Uses blur', graph });

    expect(await t.ann.trpc.subgraphs.delete.mutate({ id: entry.id })).toEqual({ id: entry.id, deleted: true });
    expect((await t.ann.trpc.subgraphs.list.query()).map((s) => s.id)).not.toContain(entry.id);
    for (const gone of [t.ann.trpc.subgraphs.get.query({ id: entry.id }), t.ann.trpc.subgraphs.rename.mutate({ id: entry.id, name: 'Back' }),
      t.ann.trpc.subgraphs.save.mutate({ id: entry.id, name: 'Again', definition: definition('x') }), t.ann.trpc.subgraphs.delete.mutate({ id: entry.id })]) {
      const e = await trpcRejection(gone);
      expect([e.data?.code, e.message]).toEqual(['NOT_FOUND', `no library subgraph "${entry.id}" (it may have been deleted, or it is not shared with you)`]);
    }
    // The row and its versions stay (soft delete); the workflow opens with its copy, and saves as it did.
    const row = await t.server.services.db.librarySubgraph.findUnique({ where: { id: entry.id }, include: { versions: true } });
    expect([row!.deletedAt instanceof Date, row!.versions.length]).toEqual([true, 1]);
    const opened = await t.ann.trpc.workflows.get.query({ id: w.id });
    expect(opened.version.graph.subgraphs).toEqual({ blur_def: copy });
    expect((await t.ann.trpc.workflows.save.mutate({ id: w.id, graph: opened.version.graph })).problems).toEqual(w.problems);
  });

  it('shares a public entry read-only with everyone else until it is private again', async () => {
    const entry = await t.ann.trpc.subgraphs.save.mutate({ name: 'Shared prompt', definition: definition('a green tree') });
    expect(await t.ann.trpc.subgraphs.setVisibility.mutate({ id: entry.id, visibility: 'public' })).toEqual({ id: entry.id, visibility: 'public' });
    const bobs = await t.bob.trpc.subgraphs.list.query();
    expect(bobs.map((s) => [s.id, s.name, s.mine, s.owner, s.visibility, s.definition.nodes[0].params.text]))
      .toEqual([[entry.id, 'Shared prompt', false, 'ann', 'public', 'a green tree']]);
    expect((await t.bob.trpc.subgraphs.get.query({ id: entry.id })).definition.nodes[0].params.text).toBe('a green tree');

    for (const [doing, call] of [
      ['save new versions of it', t.bob.trpc.subgraphs.save.mutate({ id: entry.id, name: 'Mine', definition: definition('x') })],
      ['rename it', t.bob.trpc.subgraphs.rename.mutate({ id: entry.id, name: 'Mine' })],
      ['delete it', t.bob.trpc.subgraphs.delete.mutate({ id: entry.id })],
      ['change who can see it', t.bob.trpc.subgraphs.setVisibility.mutate({ id: entry.id, visibility: 'private' })],
    ] as const) {
      const e = await trpcRejection(call);
      expect([e.data?.code, e.message]).toEqual(['FORBIDDEN', `only the owner of library subgraph "Shared prompt" may ${doing}; add it to a workflow and save that copy to make your own`]);
    }
    // Bob's own copy is a new entry of his.
    const own = await t.bob.trpc.subgraphs.save.mutate({ name: 'My prompt', definition: { ...definition('a green tree'), library: { id: entry.id, version: 1 } } });
    expect((await t.bob.trpc.subgraphs.list.query()).map((s) => [s.id, s.mine])).toEqual([[own.id, true], [entry.id, false]]);
    expect((await t.ann.trpc.subgraphs.list.query()).map((s) => s.id)).not.toContain(own.id);

    await t.ann.trpc.subgraphs.setVisibility.mutate({ id: entry.id, visibility: 'private' });
    expect((await t.bob.trpc.subgraphs.list.query()).map((s) => s.id)).toEqual([own.id]);
    expect(await trpcOutcome(t.bob.trpc.subgraphs.get.query({ id: entry.id }))).toBe('NOT_FOUND');
  });

  it('saves a subgraph holding library subgraphs with their definitions, and refuses one that would contain itself', async () => {
    const encoder = await t.ann.trpc.subgraphs.save.mutate({ name: 'Encoder', definition: definition('red') });
    const encoderCopy = { ...definition('red'), name: 'Encoder', library: { id: encoder.id, version: 1 } };
    // Outer → Middle → a copy of Encoder; the unused definition is not stored.
    const outer = await t.ann.trpc.subgraphs.save.mutate({
      name: 'Outer', definition: wrapperDefinition('Outer', 'middle'),
      subgraphs: { middle: wrapperDefinition('Middle', 'enc'), enc: encoderCopy, unused: wrapperDefinition('Unused', 'enc') },
    });
    const read = await t.ann.trpc.subgraphs.get.query({ id: outer.id });
    expect(read.definition.nodes[0].subgraph).toBe('middle');
    expect(Object.keys(read.subgraphs).sort()).toEqual(['enc', 'middle']);
    expect(read.subgraphs.enc.library).toEqual({ id: encoder.id, version: 1 });

    // Encoder v2 holding a copy of Outer (which holds a copy of Encoder) would contain itself.
    const cycle = await trpcRejection(t.ann.trpc.subgraphs.save.mutate({
      id: encoder.id, name: 'Encoder', definition: wrapperDefinition('Encoder', 'outer'),
      subgraphs: { outer: { ...read.definition, library: { id: outer.id, version: 1 } }, ...read.subgraphs },
    }));
    expect([cycle.data?.code, cycle.message]).toEqual(['BAD_REQUEST',
      'library subgraph "Encoder" cannot contain itself: node "inner" inside "Middle" is a copy of it (version 1); unpack or remove it first']);
    expect((await t.ann.trpc.subgraphs.get.query({ id: encoder.id })).latest).toBe(1);
    // As a new entry the same bundle is fine: nothing in it is a copy of the new entry.
    const fresh = await t.ann.trpc.subgraphs.save.mutate({ name: 'Encoder wrapper', definition: wrapperDefinition('Encoder', 'outer'), subgraphs: { outer: read.definition, ...read.subgraphs } });
    expect(Object.keys((await t.ann.trpc.subgraphs.get.query({ id: fresh.id })).subgraphs).sort()).toEqual(['enc', 'middle', 'outer']);
  });
});
