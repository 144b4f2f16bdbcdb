// The retention schedule: a sweep at start and then every RETENTION_SWEEP_MS on an unref'd timer (never keeping the
// process alive), one log line per sweep (ids too with LOG_LEVEL=debug); nothing at all when every limit is 0.
import type { ArtifactStore } from '../artifacts/store';
import type { Db } from '../db';
import { retentionEnabled, type RetentionPolicy } from './policy';
import { sweepRetention, type SweepReport } from './sweep';

export interface RetentionOptions {
  db: Db;
  store: ArtifactStore;
  policy: RetentionPolicy;
  intervalMs: number;
  log: (message: string) => void;
  /** Also log the ids of what each sweep deleted. */
  logIds?: boolean;
}

export interface Retention {
  /** A sweep now (or the one already under way); undefined when retention is off or the sweep failed. */
  sweep(): Promise<SweepReport | undefined>;
  /** Stops the timer and waits for a sweep under way (before the database closes). */
  stop(): Promise<void>;
}

export function describeSweep(r: SweepReport): string {
  return `retention sweep: deleted ${r.runs.length} run(s), ${r.artifacts.length} artifact(s), ${r.uploads.length} upload(s); `
    + `removed ${r.files} file(s), ${r.bytes} bytes`;
}

export function startRetention(o: RetentionOptions): Retention {
  if (!retentionEnabled(o.policy)) return { sweep: async () => undefined, stop: async () => undefined };
  let current: Promise<SweepReport | undefined> | undefined;
  let stopped = false;

  const sweep = (): Promise<SweepReport | undefined> => {
    if (stopped) return Promise.resolve(undefined);
    current ??= (async () => {
      try {
        const report = await sweepRetention(o.db, o.store, o.policy);
        o.log(describeSweep(report));
        if (o.logIds) {
          for (const [what, ids] of [['runs', report.runs], ['artifacts', report.artifacts], ['uploads', report.uploads]] as const) {
            if (ids.length) o.log(`retention sweep: ${what} deleted: ${ids.join(', ')}`);
          }
        }
        return report;
      } catch (e) {
        // A failed sweep (database busy, disk error) is retried at the next interval; serving goes on.
        o.log(`retention sweep failed: ${(e as Error).stack ?? e}`);
        return undefined;
      } finally {
        current = undefined;
      }
    })();
    return current;
  };

  const timer = setInterval(() => void sweep(), o.intervalMs);
  timer.unref();
  void sweep();
  return {
    sweep,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}
