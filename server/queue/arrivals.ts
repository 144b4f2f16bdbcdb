// Whether a run at the head of the line should wait its batch window for company. Triton's dynamic batcher always
// waits; here, in embedded mode, the queue sees every enqueue, so a run that nobody could join (no other enqueue under
// way) starts at once: one person running one graph after another pays no window. A burst of requests overlaps in
// the server, so its first run sees the others under way and waits for them.
//
// The window is measured on arrival, as Triton's is: an enqueue that reached the server inside it belongs to it,
// even while its rows are still being written. It arrives when its HTTP request does (`request`), before its body is
// read and checked: the database writes never wait for I/O, so a burst's later requests were otherwise read only
// after the earlier ones were written, when the head of the line had already left without them.

export class Arrivals {
  /** Start times (ms) of the enqueues under way. */
  private readonly inFlight = new Set<{ at: number }>();
  /** HTTP requests that will enqueue: when each arrived, and its entry until an enqueue of it begins. */
  private readonly requests = new WeakMap<object, { at: number; end: () => void }>();

  /** A request that will enqueue has arrived (its headers are read); it counts until it begins, or until `closed`. */
  request(req: object, now = Date.now()): { closed: () => void } {
    const end = this.begin(now);
    this.requests.set(req, { at: now, end });
    return { closed: end };
  }

  /** An enqueue starts; `req`: the request it came in (it counts from that request's arrival, in its place). */
  beginFrom(req: object | undefined): () => void {
    const r = req && this.requests.get(req);
    const done = this.begin(r?.at);
    r?.end();
    return done;
  }

  /** An enqueue starts; call the returned function once its rows are written (or it failed). */
  begin(now = Date.now()): () => void {
    const entry = { at: now };
    this.inFlight.add(entry);
    return () => {
      this.inFlight.delete(entry);
    };
  }

  /** Company may come: another enqueue is being handled now. */
  companyExpected(): boolean {
    return this.inFlight.size > 0;
  }

  /** An enqueue that arrived at or before `t` (ms) is still being written. */
  arrivedBy(t: number): boolean {
    for (const e of this.inFlight) if (e.at <= t) return true;
    return false;
  }
}
