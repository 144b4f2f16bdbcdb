// Float buffers that hold a watched sampler's kept latents until they are handed over, reused across nodes and runs:
// a fresh ~6 MB buffer per sampler made V8 start a full (mark-compact) collection about once a run, ~25 ms each.

/** Buffers kept for reuse; more only when several samplers are watched at once. */
const KEPT = 4;

export class StepBufferPool {
  private readonly free: Float32Array[] = [];

  /** A buffer of at least `floats` values (contents undefined). */
  take(floats: number): Float32Array {
    const i = this.free.findIndex((b) => b.length >= floats);
    return i >= 0 ? this.free.splice(i, 1)[0] : new Float32Array(floats);
  }

  /** Back for reuse: the caller keeps no view of it that it will read again. */
  give(buffer: Float32Array): void {
    if (!buffer.length) return;
    this.free.push(buffer);
    if (this.free.length > KEPT) {
      this.free.sort((a, b) => b.length - a.length);
      this.free.length = KEPT;
    }
  }
}
