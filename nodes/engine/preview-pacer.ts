// Which sampler frames a host draws and sends live: at most `fps` a second, the first and the last step always.
// A frame not admitted is held by the caller; a newer one replaces it, a pause or the node's end sends it.

export class PreviewPacer {
  private lastSent?: number;

  /** `fps` undefined: every frame is admitted (the CLI, tests). */
  constructor(private readonly fps?: number, private readonly now: () => number = () => performance.now()) {}

  /** True: draw and send this frame now. */
  admit(step: number, total: number): boolean {
    if (!this.fps) return true;
    const t = this.now();
    if (step + 1 >= total || this.lastSent === undefined || t - this.lastSent >= 1000 / this.fps) {
      this.lastSent = t;
      return true;
    }
    return false;
  }

  /** A held frame went out anyway (pause, end of node): the interval restarts from now. */
  sentHeld(): void {
    if (this.fps) this.lastSent = this.now();
  }
}
