// The wire's hit stroke leaves its sockets free: the dash pattern that trims both ends.
import { describe, expect, it } from 'vitest';
import { SOCKET_CLEARANCE, trimmedDash } from './WireEdge';

describe('trimmedDash', () => {
  it('leaves SOCKET_CLEARANCE flow units free at each end of a 400-unit wire (1000 path units: 40 + 920 + 40)', () => {
    expect(SOCKET_CLEARANCE).toBe(16);
    expect(trimmedDash(400)).toBe('0 40 920 40');
  });

  it('keeps the middle fifth of a wire shorter than the clearance, and survives a zero-length one', () => {
    expect(trimmedDash(20)).toBe('0 400 200 400');
    expect(trimmedDash(0)).toBe('0 400 200 400');
  });
});
