// The subgraph library over HTTP with accounts on: save makes an entry, saving again a version; each user sees and
// uses only their own; bad and nested definitions are refused with what is wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTeamServer, trpcOutcome, trpcRejection, type TeamServer } from '../testing/harness';

let t: TeamServer;
beforeAll(async () => {
  t = await startTeamServer('subgraphs');
});
afterAll(async () => {
  await t?.close();
});

const definition = (text: string) => ({
  name: 'ignored: the entry name wins',
  nodes: [{ id: 'positive', type: 'text_encoder', typeVersion: 1, params: { text } }],
  edges: [],
  inputs: [{ name: 'clip', type: 'CLIP', to: [{ node: 'positive', input: 'clip' }] }],
  outputs: [{ name: 'conditioning', type: 'CONDITIONING', from: { node: 'positive', output: 'conditioning' } }],
  params: [{ name: 'text', node: 'positive', param: 'text' }],
  library: { id: 'elsewhere', version: 9 },
});

describe('subgraphs library', () => {
  it('saves, versions, lists and reads back the owner\'s subgraphs only', async () => {
    const first = await t.ann.trpc.subgraphs.save.mutate({ name: 'Prompt', definition: definition('a red circle') });
    expect(first).toMatchObject({ name: 'Prompt', version: 1 });
    const second = await t.ann.trpc.subgraphs.save.mutate({ id: first.id, name: 'Prompt v2', definition: definition('a blue star') });
    expect(second).toEqual({ id: first.id, name: 'Prompt v2', version: 2 });

    const list = await t.ann.trpc.subgraphs.list.query();
    expect(list.map((s) => [s.id, s.name, s.version, s.definition.nodes[0].params.text])).toEqual([[first.id, 'Prompt v2', 2, 'a blue star']]);
    // Stored without the pin it came with, named as the entry.
    expect(list[0].definition.library).toBeUndefined();
    expect(list[0].definition.name).toBe('Prompt v2');
    const v1 = await t.ann.trpc.subgraphs.get.query({ id: first.id, version: 1 });
    expect([v1.version, v1.latest, v1.definition.nodes[0].params.text]).toEqual([1, 2, 'a red circle']);
    expect((await trpcRejection(t.ann.trpc.subgraphs.get.query({ id: first.id, version: 3 }))).message).toBe('library subgraph "Prompt v2" has no version 3');

    // Bob sees none of it and cannot add versions to it.
    expect(await t.bob.trpc.subgraphs.list.query()).toEqual([]);
    expect(await trpcOutcome(t.bob.trpc.subgraphs.get.query({ id: first.id }))).toBe('NOT_FOUND');
    expect(await trpcOutcome(t.bob.trpc.subgraphs.save.mutate({ id: first.id, name: 'Mine', definition: definition('x') }))).toBe('NOT_FOUND');
    expect((await t.ann.trpc.subgraphs.get.query({ id: first.id })).version).toBe(2);
  });

  it('refuses a definition that is not one, or holds another subgraph', async () => {
    const bad = await trpcRejection(t.ann.trpc.subgraphs.save.mutate({ name: 'Bad', definition: { ...definition('x'), inputs: [{ name: 'clip', type: 'CLIP', to: [] }] } }));
    expect(bad.data?.code).toBe('BAD_REQUEST');
    expect(bad.message).toMatch(/^not a valid subgraph: inputs\.0\.to: /);
    const nested = { ...definition('x'), nodes: [...definition('x').nodes, { id: 'inner', type: 'subgraph', typeVersion: 1, params: {}, subgraph: 'k' }] };
    expect((await trpcRejection(t.ann.trpc.subgraphs.save.mutate({ name: 'Nested', definition: nested }))).message)
      .toBe('subgraph node "inner" is inside this subgraph: unpack it before saving to the library');
  });
});
