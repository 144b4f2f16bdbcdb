// Queue-position events: exact near the head, a bounded number per run further back, never badly stale.
import { describe, expect, it } from 'vitest';
import { EXACT_POSITIONS, PositionAnnouncer } from './position-announcer';

const queue = (ids: string[]) => new Map(ids.map((id, i) => [id, { position: i + 1 }]));

/** At most this many events per run while it climbs from `n` to 1: every move in the exact zone, then moves of ≥ 1/5. */
const perRunBound = (n: number) => EXACT_POSITIONS + Math.ceil(Math.log(n / EXACT_POSITIONS) / Math.log(5 / 4)) + 1;

describe('PositionAnnouncer', () => {
  it('draining 500 queued runs: every move near the head, O(log n) per run behind it, the client never more than a fifth off', () => {
    const a = new PositionAnnouncer();
    let ids = Array.from({ length: 500 }, (_, i) => `r${i}`);
    a.changes(queue(ids)); // the client learned these from run:queued
    const heard = new Map<string, number>(ids.map((id, i) => [id, i + 1]));
    const events = new Map<string, number>();
    while (ids.length) {
      ids = ids.slice(1); // one dispatch
      for (const [id, p] of a.changes(queue(ids))) {
        heard.set(id, p.position);
        events.set(id, (events.get(id) ?? 0) + 1);
      }
      ids.forEach((id, i) => {
        const real = i + 1;
        if (real <= EXACT_POSITIONS) expect(heard.get(id), id).toBe(real);
        else expect((heard.get(id)! - real) * 5, id).toBeLessThan(heard.get(id)!);
      });
    }
    const total = [...events.values()].reduce((s, n) => s + n, 0);
    expect(Math.max(...events.values())).toBeLessThanOrEqual(perRunBound(500));
    // Every move announced would be 0 + 1 + ... + 499 = 124 750 events.
    expect(total).toBeLessThanOrEqual(500 * perRunBound(500));
    expect(total).toBeLessThan(124_750 / 5);
  });

  it('the run just queued is not announced again; a run pushed back near the head is', () => {
    const a = new PositionAnnouncer();
    a.changes(queue(['a', 'b']));
    expect(a.changes(queue(['a', 'b', 'c']), new Set(['c']))).toEqual([]);
    // A higher-priority run jumps the queue: everyone moves back one, all within the exact zone.
    expect(a.changes(queue(['urgent', 'a', 'b', 'c']), new Set(['urgent'])).map(([id, p]) => `${id}@${p.position}`)).toEqual(['a@2', 'b@3', 'c@4']);
  });

  it('forgets runs that left the queue, and announces one it never saw', () => {
    const a = new PositionAnnouncer();
    a.changes(queue(['a', 'b']));
    expect(a.changes(queue(['b']))).toEqual([['b', { position: 1 }]]);
    expect(a.changes(queue(['a', 'b'])).map(([id]) => id)).toEqual(['a', 'b']);
  });
});
