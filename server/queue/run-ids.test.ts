import { describe, expect, it } from 'vitest';
import { isStepRunId } from '../steps/step-store';
import { orderedRunIds } from './run-ids';

describe('orderedRunIds', () => {
  it('sorts in the order made, within one call and across calls in the same millisecond', () => {
    const ids = [...orderedRunIds(40), ...orderedRunIds(1), ...orderedRunIds(16)];
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) {
      expect(id).toMatch(/^c[0-9a-z]{25}$/);
      expect(isStepRunId(id)).toBe(true);
    }
  });

  it('a later millisecond sorts after an earlier one', async () => {
    const [a] = orderedRunIds(1);
    await new Promise((r) => setTimeout(r, 3));
    const [b] = orderedRunIds(1);
    expect(a < b).toBe(true);
  });
});
