// Whether a run at the head of the line should wait its batch window for company. Triton's dynamic batcher always
// waits; here, in embedded mode, the queue sees every enqueue, so a run that nobody could join (no other enqueue under
// way) starts at once: one person running one graph after another pays no window. A burst of requests overlaps in
// the server (each awaits the database), so its first run sees the others under way and waits for them.

export class Arrivals {
  private inFlight = 0;

  /** An enqueue starts; call the returned function once its rows are written (or it failed). */
  begin(): () => void {
    this.inFlight++;
    let done = false;
    return () => {
      if (!done) this.inFlight--;
      done = true;
    };
  }

  /** Company may come: another enqueue is being handled now. */
  companyExpected(): boolean {
    return this.inFlight > 0;
  }
}
