// RunDeadline: only running time counts toward the limit; pauses stop the countdown, resume continues it.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RunDeadline } from './run-deadline';

beforeEach(() => { vi.useFakeTimers(); });
afterEach(() => { vi.useRealTimers(); });

describe('RunDeadline', () => {
  it('fires after the limit of running time, however long the pauses in between', () => {
    const fired: number[] = [];
    const deadline = new RunDeadline(1000, () => fired.push(Date.now()), () => Date.now());
    const start = Date.now();
    vi.advanceTimersByTime(600);
    deadline.pause();
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual([]);
    deadline.resume();
    vi.advanceTimersByTime(399);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([start + 11_000]);
    // Once only, and nothing after clear.
    deadline.resume();
    vi.advanceTimersByTime(5000);
    expect(fired).toHaveLength(1);
  });

  it('never fires once cleared, and ignores double pauses and resumes', () => {
    let fired = 0;
    const deadline = new RunDeadline(500, () => fired++, () => Date.now());
    deadline.pause();
    deadline.pause();
    vi.advanceTimersByTime(1000);
    deadline.resume();
    deadline.resume();
    vi.advanceTimersByTime(499);
    deadline.clear();
    vi.advanceTimersByTime(5000);
    expect(fired).toBe(0);
  });
});
