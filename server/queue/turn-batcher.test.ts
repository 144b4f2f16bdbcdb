import { describe, expect, it } from 'vitest';
import { TurnBatcher } from './turn-batcher';

describe('TurnBatcher', () => {
  it('writes what is added in one turn as one group, and what came during a write as the next', async () => {
    const groups: number[][] = [];
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const b = new TurnBatcher<number>(async (items) => {
      groups.push(items);
      if (groups.length === 1) await gate;
    });
    const first = [1, 2, 3].map((i) => b.add(i));
    await new Promise((r) => setImmediate(r));
    const second = [4, 5].map((i) => b.add(i));
    open();
    await Promise.all([...first, ...second]);
    expect(groups).toEqual([[1, 2, 3], [4, 5]]);
  });

  it("refuses every item of a group whose write failed, and writes the next group", async () => {
    const b = new TurnBatcher<string>(async (items) => {
      if (items.includes('bad')) throw new Error('constraint failed');
    });
    const failed = await Promise.allSettled([b.add('a'), b.add('bad')]);
    expect(failed.map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual(['constraint failed', 'constraint failed']);
    await expect(b.add('c')).resolves.toBeUndefined();
  });
});
