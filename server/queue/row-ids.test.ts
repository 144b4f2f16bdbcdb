import { describe, expect, it } from 'vitest';
import { isStepRunId } from '../steps/step-store';
import { orderedIds } from './row-ids';

describe('orderedIds', () => {
  it('sorts in the order made, within one call and across calls in the same millisecond', () => {
    const ids = [...orderedIds(40), ...orderedIds(1), ...orderedIds(16)];
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) {
      expect(id).toMatch(/^c[0-9a-z]{25}$/);
      expect(isStepRunId(id)).toBe(true);
    }
  });

  it('a later millisecond sorts after an earlier one', async () => {
    const [a] = orderedIds(1);
    await new Promise((r) => setTimeout(r, 3));
    const [b] = orderedIds(1);
    expect(a < b).toBe(true);
  });
});
