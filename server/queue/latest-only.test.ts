// LatestOnly: one task per key at a time, the newest waiting one replaces the others, callers wait for a newer task.
import { describe, expect, it } from 'vitest';
import { LatestOnly } from './latest-only';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => { open = resolve; });
  return { open, opened };
}

describe('LatestOnly', () => {
  it('runs the first and the newest of a burst; superseded callers resolve when the newest has run', async () => {
    const slots = new LatestOnly();
    const ran: string[] = [];
    const settled: string[] = [];
    const g = gate();
    const task = (name: string, wait?: Promise<void>) => async () => {
      ran.push(`start ${name}`);
      await wait;
      ran.push(`end ${name}`);
    };
    const calls = ['a', 'b', 'c', 'd'].map((name, i) => slots.run('wf', task(name, i === 0 ? g.opened : undefined)).then(() => settled.push(name)));
    // Another key is not held up by this one.
    await slots.run('other', task('x'));
    expect(ran).toEqual(['start a', 'start x', 'end x']);
    g.open();
    await Promise.all(calls);
    expect(ran).toEqual(['start a', 'start x', 'end x', 'end a', 'start d', 'end d']);
    expect(settled).toEqual(['a', 'b', 'c', 'd']);
    // The key is free again: the next call runs at once.
    await slots.run('wf', task('e'));
    expect(ran.slice(-2)).toEqual(['start e', 'end e']);
  });

  it('hands a failure to the callers of the task that failed, and goes on with the next', async () => {
    const slots = new LatestOnly();
    const g = gate();
    const first = slots.run('k', async () => { await g.opened; throw new Error('disk full'); });
    const second = slots.run('k', async () => { throw new Error('locked'); });
    const third = slots.run('k', async () => undefined);
    g.open();
    await expect(first).rejects.toThrow('disk full');
    await expect(second).resolves.toBeUndefined();
    await expect(third).resolves.toBeUndefined();
  });
});
