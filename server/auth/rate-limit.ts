// Slows password guessing and account farming: attempts per key (account, client IP) in a sliding window, counted
// *before* the work they guard, so parallel requests cannot all slip through while the first ones are still hashing.
export class RateLimitedError extends Error {
  constructor(readonly retryAfterSeconds: number, what: string) {
    super(`${what}: wait ${retryAfterSeconds} s and try again`);
    this.name = 'RateLimitedError';
  }
}

/** One counted attempt; `release()` un-counts it (a sign-in that turned out right is no guess). */
export interface Attempt {
  release(): void;
}

export class AttemptLimiter {
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    /** Says what was limited, in the error: "too many failed sign-ins". */
    private readonly what: string,
    private readonly now = () => Date.now(),
  ) {}

  /** Throws RateLimitedError when `key` already has `limit` attempts inside the window. Counts nothing. */
  check(key: string): void {
    const recent = this.recent(key);
    if (recent.length >= this.limit) {
      throw new RateLimitedError(Math.max(1, Math.ceil((recent[0] + this.windowMs - this.now()) / 1000)), this.what);
    }
  }

  /** Checks and counts in one synchronous step: no await can come between the two. */
  reserve(key: string): Attempt {
    this.check(key);
    const at = this.now();
    const recent = this.recent(key);
    recent.push(at);
    this.attempts.set(key, recent);
    return {
      release: () => {
        const list = this.attempts.get(key);
        const i = list?.indexOf(at) ?? -1;
        if (list && i >= 0) list.splice(i, 1);
      },
    };
  }

  reset(key: string): void {
    this.attempts.delete(key);
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const kept = (this.attempts.get(key) ?? []).filter((t) => t > cutoff);
    if (kept.length) this.attempts.set(key, kept);
    else this.attempts.delete(key);
    return kept;
  }
}

/** Reserves an attempt on every (limiter, key) or on none: a refusal by one must not use up the others. */
export function reserveAll(...pairs: [AttemptLimiter, string][]): Attempt[] {
  for (const [limiter, key] of pairs) limiter.check(key);
  return pairs.map(([limiter, key]) => limiter.reserve(key));
}

/** The limits StepFlow applies, by name. */
export const AUTH_LIMITS = {
  /** Sign-in and change-password attempts per account: 5 a minute (a success un-counts them). */
  signInAccount: { limit: 5, windowMs: 60_000, what: 'too many failed sign-ins' },
  /** Sign-in attempts per client IP (any account): 20 a minute. */
  signInIp: { limit: 20, windowMs: 60_000, what: 'too many failed sign-ins from your address' },
  /** Sign-up attempts per client IP, successful or not: 20 an hour (each one costs a password hash). */
  signUpIp: { limit: 20, windowMs: 3_600_000, what: 'too many sign-ups from your address' },
} as const;

export type LimitName = keyof typeof AUTH_LIMITS;

/**
 * Attempt counting as the auth routes use it: in this process (embedded mode), or in Redis (scaled mode,
 * auth/redis-limits.ts) so that N web servers behind one URL do not grant N times the attempts.
 */
export interface AuthLimits {
  /** Reserves an attempt on every (limit, key) or on none; RateLimitedError names the first limit reached. */
  reserve(...pairs: [LimitName, string][]): Promise<Attempt[]>;
  /** Forgets the attempts on a key (a successful sign-in clears its account's failures). */
  reset(name: LimitName, key: string): Promise<void>;
}

export function createAuthLimits(now?: () => number): AuthLimits {
  const limiters = Object.fromEntries(Object.entries(AUTH_LIMITS).map(([name, l]) => [name, new AttemptLimiter(l.limit, l.windowMs, l.what, now)])) as Record<LimitName, AttemptLimiter>;
  return {
    reserve: async (...pairs) => reserveAll(...pairs.map(([name, key]): [AttemptLimiter, string] => [limiters[name], key])),
    reset: async (name, key) => limiters[name].reset(key),
  };
}
