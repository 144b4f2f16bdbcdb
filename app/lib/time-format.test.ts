import { describe, expect, it } from 'vitest';
import { duration, timeAgo } from './time-format';

describe('time formats', () => {
  it('says how long ago, in the coarsest unit that fits', () => {
    const now = Date.parse('2025-06-01T12:00:00Z');
    expect(timeAgo(new Date(now - 10_000), now)).toBe('just now');
    expect(timeAgo(new Date(now - 5 * 60_000), now)).toBe('5 min ago');
    expect(timeAgo(new Date(now - 3 * 3_600_000), now)).toBe('3 h ago');
    expect(timeAgo('2025-05-30T12:00:00Z', now)).toBe('2 d ago');
  });

  it('formats durations from milliseconds to minutes', () => {
    expect(duration(null)).toBe('—');
    expect(duration(412.6)).toBe('413 ms');
    expect(duration(1460)).toBe('1.5 s');
    expect(duration(125_000)).toBe('2 min 5 s');
  });
});
