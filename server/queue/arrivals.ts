// Whether a run at the head of the line should wait its batch window for company. Triton's dynamic batcher always
// waits; here, in embedded mode, the queue sees every enqueue, so a run that nobody could join (no other enqueue under
// way) starts at once: one person running one graph after another pays no window. A burst of requests overlaps in
// the server (each awaits the database), so its first run sees the others under way and waits for them.
//
// The window is measured on arrival, as Triton's is: an enqueue that reached the server inside it belongs to it,
// even while its rows are still being written (one user's enqueues are written one at a time, so a burst of 16
// "Run" clicks took longer to write than a 20 ms window, and the batch split in two).

export class Arrivals {
  /** Start times (ms) of the enqueues under way. */
  private readonly inFlight = new Set<{ at: number }>();

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
