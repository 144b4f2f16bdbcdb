// Scaled mode's Redis: one naming scheme for every key, channel and queue (all under REDIS_PREFIX, so several
// deployments, or tests, share one Redis without meeting), and connections that ride out a Redis restart.
import { Redis } from 'ioredis';

export interface ClusterNames {
  /** BullMQ's own key prefix. */
  bullPrefix: string;
  /** The BullMQ queue of a worker pool. */
  queue(pool: string): string;
  /** The Socket.io Redis adapter's and emitter's channel prefix (must be equal on both sides). */
  socketKey: string;
  /** Pub/sub channel: cancel and debugger commands for whichever worker holds a run. */
  control: string;
  /** A worker host's heartbeat record (expires when the host stops refreshing it). */
  worker(id: string): string;
  workerPattern: string;
  /** Set by the worker host while a run is paused at a breakpoint: a browser joining then is told so. */
  paused(runId: string): string;
}

export function clusterNames(prefix: string): ClusterNames {
  return {
    bullPrefix: `${prefix}:bull`,
    queue: (pool) => `runs-${pool}`,
    socketKey: `${prefix}:io`,
    control: `${prefix}:control`,
    worker: (id) => `${prefix}:worker:${id}`,
    workerPattern: `${prefix}:worker:*`,
    paused: (runId) => `${prefix}:paused:${runId}`,
  };
}

/**
 * A connection that reconnects for ever (with a capped back-off) and queues commands meanwhile: a Redis restart is
 * an outage to wait out, not an error to crash on. BullMQ requires `maxRetriesPerRequest: null` on its connections.
 */
export function openRedis(url: string, role: string, log: (m: string) => void): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    connectionName: `stepflow-${role}`,
  });
  let down = false;
  redis.on('error', (e: Error) => {
    if (!down) log(`redis (${role}): ${e.message}; reconnecting`);
    down = true;
  });
  redis.on('ready', () => {
    if (down) log(`redis (${role}): connected again`);
    down = false;
  });
  return redis;
}

/**
 * Closes a connection after the commands in flight have their replies (QUIT), then drops it. A plain disconnect
 * rejects them with "Connection is closed", and some callers (the Socket.io adapter's publishes) never handle that:
 * an unhandled rejection after the server has gone.
 */
export async function quitRedis(redis: Redis, timeoutMs = 2000): Promise<void> {
  if (redis.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      redis.quit().then(() => undefined, () => undefined),
      new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); }),
    ]);
    clearTimeout(timer);
  }
  redis.disconnect();
}

/** Resolves once the connection is ready (start-up fails with the reason instead of waiting for ever). */
export async function redisReady(redis: Redis, url: string, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cannot reach Redis at ${redactUrl(url)} within ${timeoutMs} ms (REDIS_URL)`)), timeoutMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** A Redis URL without its password, for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
