import { describe, expect, it } from 'vitest';
import { GroupCommit, type Settled } from './group-commit';
import { PerKeySerialiser } from './enqueue-limits';

/** A writer that records each group it is handed; items named "bad" fail alone, a group holding "boom" fails whole. */
function recorder(gate?: Promise<void>) {
  const groups: string[][] = [];
  const write = async (key: string, items: string[]): Promise<Settled<string>[]> => {
    groups.push([key, ...items]);
    await gate;
    if (items.includes('boom')) throw new Error('database gone');
    return items.map((i) => (i === 'bad' ? { ok: false, error: new Error(`refused ${i}`) } : { ok: true, value: `${key}:${i}` }));
  };
  return { groups, write };
}

describe('GroupCommit', () => {
  it('writes the requests that arrive together as one group, and those that came during a write as the next', async () => {
    let open!: () => void;
    const { groups, write } = recorder(new Promise<void>((r) => (open = r)));
    const gc = new GroupCommit(new PerKeySerialiser(), write);
    const first = ['a', 'b', 'c'].map((i) => gc.submit('u1', i));
    // The first group is being written (held open by the gate): these wait and go together afterwards.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const second = ['d', 'e'].map((i) => gc.submit('u1', i));
    const other = gc.submit('u2', 'x');
    open();
    expect(await Promise.all([...first, ...second, other])).toEqual(['u1:a', 'u1:b', 'u1:c', 'u1:d', 'u1:e', 'u2:x']);
    expect(groups).toEqual([['u1', 'a', 'b', 'c'], ['u2', 'x'], ['u1', 'd', 'e']]);
  });

  it('fails one refused request alone, and every request of a group whose write failed', async () => {
    const { write } = recorder();
    const gc = new GroupCommit(new PerKeySerialiser(), write);
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((i) => gc.submit('u', i)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['u:a', 'refused bad', 'u:c']);
    const failed = await Promise.allSettled(['d', 'boom'].map((i) => gc.submit('u', i)));
    expect(failed.map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual(['database gone', 'database gone']);
    // The key is usable again afterwards.
    expect(await gc.submit('u', 'e')).toBe('u:e');
  });

  it('rejects a group its serialiser could not run (a lock that timed out), and only that group', async () => {
    const { groups, write } = recorder();
    let calls = 0;
    const flaky = { run: <T>(_key: string, task: () => Promise<T>) => (++calls === 1 ? Promise.reject(new Error('lock timed out')) : task()) };
    const gc = new GroupCommit(flaky, write);
    const lost = await Promise.allSettled([gc.submit('u', 'a'), gc.submit('u', 'b')]);
    expect(lost.map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual(['lock timed out', 'lock timed out']);
    expect(await gc.submit('u', 'c')).toBe('u:c');
    expect(groups).toEqual([['u', 'c']]);
  });
});
