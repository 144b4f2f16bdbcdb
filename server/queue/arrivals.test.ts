// When a fresh head of the line waits its batch window: only when company may come (queue/arrivals.ts).
import { describe, expect, it } from 'vitest';
import { Arrivals } from './arrivals';

describe('Arrivals', () => {
  it('expects company while another enqueue is under way, not after', () => {
    const a = new Arrivals();
    expect(a.companyExpected()).toBe(false);
    const first = a.begin();
    const second = a.begin();
    first();
    // The second is still being handled: the first's run should wait for it.
    expect(a.companyExpected()).toBe(true);
    second();
    expect(a.companyExpected()).toBe(false);
  });

  it('counts an enqueue out once, however often its end is reported', () => {
    const a = new Arrivals();
    const done = a.begin();
    const other = a.begin();
    done();
    // Ending twice (a finally after a catch) must not count the other one out.
    done();
    expect(a.companyExpected()).toBe(true);
    other();
    expect(a.companyExpected()).toBe(false);
  });
});

describe('Arrivals.arrivedBy', () => {
  it('names enqueues under way that arrived by a time, and forgets them once written', () => {
    const a = new Arrivals();
    const early = a.begin(1000);
    const late = a.begin(1050);
    expect(a.arrivedBy(999)).toBe(false);
    expect(a.arrivedBy(1000)).toBe(true);
    early();
    expect(a.arrivedBy(1020)).toBe(false);
    expect(a.arrivedBy(1050)).toBe(true);
    late();
    expect(a.arrivedBy(5000)).toBe(false);
    expect(a.companyExpected()).toBe(false);
  });
});

describe('Arrivals.request', () => {
  it('counts a request from its arrival, hands that time to its enqueue, and ends when the enqueue begins', () => {
    const a = new Arrivals();
    const req = {};
    const { closed } = a.request(req, 1000);
    // Read but not yet enqueued: company for a head whose window ends after 1000.
    expect(a.arrivedBy(1000)).toBe(true);
    const done = a.beginFrom(req);
    // The enqueue took the request's place and its arrival time (not the time its body was read).
    expect(a.arrivedBy(1000)).toBe(true);
    done();
    expect(a.companyExpected()).toBe(false);
    // The response closing afterwards changes nothing.
    closed();
    expect(a.companyExpected()).toBe(false);
  });

  it('forgets a request whose enqueue never began once its response closes', () => {
    const a = new Arrivals();
    const { closed } = a.request({}, 1000);
    expect(a.companyExpected()).toBe(true);
    closed();
    expect(a.companyExpected()).toBe(false);
  });
});
