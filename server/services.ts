// The long-lived objects every request handler reaches through the tRPC context.
import type { ModelStore } from '../nodes/runtime/models';
import type { ArtifactStore } from './artifacts/store';
import type { AccessChanges } from './auth/access-changes';
import type { AuthLimits } from './auth/rate-limit';
import type { Db } from './db';
import type { Metrics } from './metrics/metrics';
import type { Env } from './env';
import type { Log } from './log';
import type { RunQueue } from './queue/queue';

export interface Services {
  env: Env;
  db: Db;
  models: ModelStore;
  artifacts: ArtifactStore;
  queue: RunQueue;
  log: Log;
  /** Sign-in attempts per account and client IP, sign-ups per client IP (AUTH=local). */
  authLimits: AuthLimits;
  /** Routers publish access changes here; the socket server drops sockets from rooms they may no longer watch. */
  accessChanges: AccessChanges;
  /** Prometheus metrics of this process (GET /metrics). */
  metrics: Metrics;
  /** The workers as the admin health check lists them (local pool, or the scaled hosts' heartbeats). */
  workers: () => Promise<unknown[]>;
  /**
   * Runs `task` while no other web server runs one under the same key (scaled mode: a Redis lock; embedded: at once):
   * start-up's check-then-create steps (the admin account, seeding the library) when several servers start together.
   */
  exclusive<T>(key: string, task: () => Promise<T>): Promise<T>;
}
