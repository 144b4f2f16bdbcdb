// RUN_TIMEOUT for one run: a countdown that stops while the run is paused in the debugger (a paused run has its
// own limit, DEBUG_PAUSE_TIMEOUT, enforced by the worker) and fires once when the running time is used up.
export class RunDeadline {
  private timer?: NodeJS.Timeout;
  private runningSince = 0;
  private remainingMs: number;
  private done = false;

  constructor(readonly limitMs: number, private readonly onExpire: () => void, private readonly now = () => performance.now()) {
    this.remainingMs = limitMs;
    this.resume();
  }

  /** The run paused: time from now on does not count. */
  pause(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remainingMs -= this.now() - this.runningSince;
  }

  /** The run goes on: the countdown continues from what was left. */
  resume(): void {
    if (this.timer || this.done) return;
    this.runningSince = this.now();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.done = true;
      this.onExpire();
    }, Math.max(0, this.remainingMs));
    this.timer.unref();
  }

  clear(): void {
    this.done = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
