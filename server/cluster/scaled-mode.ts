// A web server's scaled mode (REDIS_URL set): the Redis connections, the Socket.io Redis adapter (rooms span every
// web server), BullMQ dispatch, the lost-worker sweep, preview audiences across servers, periodic reconcile of
// queued rows into jobs, and this server's own worker hosts (WORKERS > 0) working through its own API.
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { CatalogNode } from '../../nodes/engine/catalog';
import type { Db } from '../db';
import type { Metrics } from '../metrics/metrics';
import type { Env } from '../env';
import type { RunBroadcaster, RunQueue } from '../queue/queue';
import type { StepflowIo } from '../socket';
import type { WorkerConfig } from '../worker/protocol';
import { watchClusterListeners } from './cluster-listeners';
import { startLostWorkerSweep } from './lost-workers';
import { clusterNames, openRedis, quitRedis, redactUrl, redisReady, type ClusterNames } from './redis';
import { createRemoteDispatch } from './remote-dispatch';
import { publishControl } from './control';
import { startWorkerHost, type WorkerHost } from './worker-host';

/** How often every web server makes sure each queued row has its job (Redis may have lost them). */
const RECONCILE_MS = 10_000;

export interface ScaledMode {
  names: ClusterNames;
  redis: Redis;
  dispatch: ReturnType<typeof createRemoteDispatch>;
  /** For the Socket.io server's `adapter` option. */
  adapter: ReturnType<typeof createAdapter>;
  /** The heartbeat records of live worker hosts (admin health). */
  workers(): Promise<unknown[]>;
  close(): Promise<void>;
}

export async function openScaledMode(env: Env, log: (m: string) => void): Promise<ScaledMode> {
  const url = env.REDIS_URL!;
  const names = clusterNames(env.REDIS_PREFIX);
  const redis = openRedis(url, 'server', log);
  const adapterSub = openRedis(url, 'server adapter', log);
  try {
    await redisReady(redis, url);
  } catch (e) {
    redis.disconnect();
    adapterSub.disconnect();
    throw e;
  }
  log(`scaled mode: Redis ${redactUrl(url)} (prefix "${env.REDIS_PREFIX}")`);
  const dispatch = createRemoteDispatch(redis, names, log);
  return {
    names, redis, dispatch,
    adapter: createAdapter(redis, adapterSub, { key: names.socketKey }),
    async workers() {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', names.workerPattern, 'COUNT', 200);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      const values = keys.length ? await redis.mget(keys) : [];
      return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as unknown);
    },
    async close() {
      await dispatch.close();
      await Promise.all([quitRedis(adapterSub), quitRedis(redis)]);
    },
  };
}

export interface ScaledServices {
  scaled: ScaledMode;
  env: Env;
  db: Db;
  io: StepflowIo;
  queue: RunQueue;
  broadcaster: RunBroadcaster;
  /** This server's URL: its own worker hosts call its API. */
  url: string;
  runtime: Omit<WorkerConfig, 'workerId'>;
  catalog: ReadonlyMap<string, CatalogNode>;
  log: (m: string) => void;
  metrics?: Metrics;
}

export async function startScaledServices(s: ScaledServices): Promise<{ close(): Promise<void> }> {
  const { scaled, env, log } = s;
  const sweep = startLostWorkerSweep({
    db: s.db, redis: scaled.redis, names: scaled.names, lostAfterMs: env.WORKER_LOST_MS, log, metrics: s.metrics,
    emit: (event, room) => s.broadcaster.emit(event, room),
  });
  const audience = watchClusterListeners(s.io, s.db, (runId, count) => publishControl(scaled.redis, scaled.names.control, {
    runId, msg: { type: 'preview-listeners', count },
  }), log);
  const reconcile = () => void s.queue.reconcile().catch((e: Error) => log(`reconcile failed: ${e.message}`));
  const reconcileTimer = setInterval(reconcile, RECONCILE_MS);
  reconcileTimer.unref();
  // After Redis comes back (it keeps nothing on disk), the jobs of queued rows are made again at once.
  scaled.redis.on('ready', reconcile);

  const hosts: WorkerHost[] = [];
  for (let i = 1; i <= env.WORKERS; i++) {
    hosts.push(await startWorkerHost({
      redisUrl: env.REDIS_URL!, prefix: env.REDIS_PREFIX, token: env.WORKER_TOKEN!, servers: [new URL(s.url)],
      pool: env.WORKER_POOL, name: `local${i}`, runtime: s.runtime, catalog: s.catalog, log,
    }));
  }
  return {
    async close() {
      // Own hosts first: a run in flight is cancelled and recorded through this server, which is still up.
      await Promise.all(hosts.map((h) => h.close()));
      clearInterval(reconcileTimer);
      scaled.redis.off('ready', reconcile);
      audience.stop();
      await sweep.stop();
    },
  };
}
