// Test harness for scaled mode against the machine's real Redis (127.0.0.1:6379): each test gets its own key prefix
// (keys, channels and BullMQ queues all live under it) on its own db index and deletes its keys at the end;
// worker hosts run as real `npm run worker` processes, stopped (or killed) by the test.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { projectRoot } from '../paths';
import { tempDir } from './harness';

export const TEST_REDIS = process.env.STEPFLOW_TEST_REDIS ?? 'redis://127.0.0.1:6379/9';
export const CLUSTER_TOKEN = 'cluster-test-worker-token-0123456789';

export interface TestRedis {
  url: string;
  prefix: string;
  /** Environment for a scaled web server (add DATABASE_URL, WORKERS…). */
  env: Record<string, string>;
  /** Deletes every key under the prefix. */
  drop(): Promise<void>;
}

export function testRedis(url = TEST_REDIS): TestRedis {
  const prefix = `sftest-${crypto.randomBytes(4).toString('hex')}`;
  return {
    url,
    prefix,
    env: { REDIS_URL: url, REDIS_PREFIX: prefix, WORKER_TOKEN: CLUSTER_TOKEN, WORKERS: '0' },
    async drop() {
      const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
          cursor = next;
          if (keys.length) await redis.del(...keys);
        } while (cursor !== '0');
      } catch {
        // Redis already gone (a fault test stopped its own): nothing to clean.
      } finally {
        redis.disconnect();
      }
    },
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  name: string;
  dir: string;
  /** Everything it printed so far. */
  output(): string;
  /** Its host id, once it said it takes runs. */
  ready: Promise<string>;
  exited: Promise<number | null>;
  /** SIGKILL (a crash): nothing is cleaned up by the worker. */
  kill(): Promise<void>;
  /** SIGTERM and wait (SIGKILL after 20 s). */
  stop(): Promise<void>;
}

const WORKER_MAIN = path.join(projectRoot, 'server', 'cluster', 'worker-main.ts');

/** `npm run worker` as a child process in its own process group (its forked worker dies with it on kill). */
export function startWorkerProcess(
  redis: TestRedis, servers: string[], opts: { name: string; pool?: string; env?: Record<string, string> },
): WorkerProcess {
  const dir = tempDir(`worker-${opts.name}`);
  let out = '';
  const args = ['--import', 'tsx', WORKER_MAIN, '--server', servers.join(','), '--name', opts.name, '--skip-models', ...(opts.pool ? ['--pool', opts.pool] : [])];
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env, REDIS_URL: redis.url, REDIS_PREFIX: redis.prefix, WORKER_TOKEN: CLUSTER_TOKEN,
      DATA_DIR: dir, MODELS_DIR: path.join(projectRoot, 'models'), DATABASE_URL: '', NODE_ENV: 'test', ...opts.env,
    },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (b: Buffer) => {
      out = (out + b.toString()).slice(-20_000);
      const m = /worker (\S+) takes runs/.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`worker ${opts.name} exited (${code}) before it was ready:\n${out}`)));
  });
  ready.catch(() => undefined);
  const group = child.pid!;
  const killGroup = () => {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  return {
    child, name: opts.name, dir, output: () => out, ready, exited,
    async kill() {
      killGroup();
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(killGroup, 20_000);
        await exited;
        clearTimeout(timer);
      }
      killGroup(); // its forked worker, should it have outlived it
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
