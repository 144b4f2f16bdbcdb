// A lock per key across web servers (scaled mode), for the few check-then-write steps that must not interleave
// between servers: one user's enqueue (the queued-runs quota is counted, then rows are written). SET NX with an
// expiry, released only by its holder (compare-and-delete), so a server that dies holding it blocks nobody long.
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class LockTimeoutError extends Error {
  constructor(readonly key: string, waitedMs: number) {
    super(`another server held "${key}" for more than ${waitedMs} ms; try again`);
    this.name = 'LockTimeoutError';
  }
}

export class RedisKeyLock {
  constructor(
    private readonly redis: Redis, private readonly prefix: string,
    /** Longest a holder may keep it (a dead holder's lock expires after this). */
    private readonly holdMs = 15_000,
    private readonly waitMs = 15_000,
  ) {}

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const name = `${this.prefix}:lock:${key}`;
    const token = crypto.randomBytes(12).toString('hex');
    const start = Date.now();
    for (let delay = 5; ; delay = Math.min(100, delay * 2)) {
      if (await this.redis.set(name, token, 'PX', this.holdMs, 'NX')) break;
      if (Date.now() - start > this.waitMs) throw new LockTimeoutError(key, this.waitMs);
      await new Promise((r) => setTimeout(r, delay));
    }
    try {
      return await task();
    } finally {
      await this.redis.eval(RELEASE, 1, name, token).catch(() => undefined);
    }
  }
}
