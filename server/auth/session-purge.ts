// Deletes sessions that can no longer be used — past their expiry, or older than SESSION_MAX_DAYS (which may have
// been lowered since they were written) — at start and then every SESSION_PURGE_INTERVAL, so the table does not
// keep every browser that ever signed in.
import type { Db } from '../db';
import type { SessionTerms } from './session';

export async function purgeExpiredSessions(db: Db, terms: SessionTerms, now = Date.now()): Promise<number> {
  const { count } = await db.session.deleteMany({
    where: { OR: [{ expiresAt: { lte: new Date(now) } }, { createdAt: { lte: new Date(now - terms.absoluteMs) } }] },
  });
  return count;
}

export interface SessionPurge {
  /** Stops the timer; resolves when a purge in progress has finished (so the database can close behind it). */
  stop(): Promise<void>;
}

export function startSessionPurge(opts: { db: Db; terms: SessionTerms; intervalMs: number; log: (m: string) => void }): SessionPurge {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const purge = () => {
    running = running.then(async () => {
      if (stopped) return;
      const count = await purgeExpiredSessions(opts.db, opts.terms);
      if (count) opts.log(`purged ${count} expired session(s)`);
    }).catch((e: unknown) => opts.log(`session purge failed: ${(e as Error).message}`));
  };
  purge();
  // unref: a pending purge must never keep the process alive.
  const timer = setInterval(purge, opts.intervalMs).unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      return running;
    },
  };
}
