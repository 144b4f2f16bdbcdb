// Slows password guessing: failed sign-ins counted per account and per client IP in a sliding window.
export class RateLimitedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`too many failed sign-ins: wait ${retryAfterSeconds} s and try again`);
    this.name = 'RateLimitedError';
  }
}

export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly limit: number, private readonly windowMs: number, private readonly now = () => Date.now()) {}

  /** Throws RateLimitedError when `key` already has `limit` failures inside the window. */
  check(key: string): void {
    const recent = this.recent(key);
    if (recent.length >= this.limit) {
      throw new RateLimitedError(Math.max(1, Math.ceil((recent[0] + this.windowMs - this.now()) / 1000)));
    }
  }

  fail(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    this.failures.set(key, recent);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const kept = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (kept.length) this.failures.set(key, kept);
    else this.failures.delete(key);
    return kept;
  }
}
