import { describe, expect, it } from 'vitest';
import { ENQUEUE_PATH } from '../app';

describe('ENQUEUE_PATH', () => {
  it('matches tRPC requests that carry runs.enqueue, alone or batched, and no other', () => {
    expect(ENQUEUE_PATH.test('/api/trpc/runs.enqueue')).toBe(true);
    expect(ENQUEUE_PATH.test('/api/trpc/runs.enqueue?batch=1')).toBe(true);
    expect(ENQUEUE_PATH.test('/api/trpc/runs.enqueue,runs.enqueue?batch=1')).toBe(true);
    expect(ENQUEUE_PATH.test('/api/trpc/workflows.get,runs.enqueue?batch=1')).toBe(true);
    expect(ENQUEUE_PATH.test('/api/trpc/runs.get?batch=1&input=runs.enqueue')).toBe(false);
    expect(ENQUEUE_PATH.test('/api/trpc/runs.enqueueMany?batch=1')).toBe(false);
    expect(ENQUEUE_PATH.test('/api/trpc/runs.list,runs.get?batch=1')).toBe(false);
  });
});
