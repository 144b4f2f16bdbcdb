// Test harness for scaled mode against the machine's real Redis (127.0.0.1:6379): each test gets its own key prefix
// (keys, channels and BullMQ queues all live under it) on its own db index and deletes its keys at the end;
// worker hosts run as real `npm run worker` processes, stopped (or killed) by the test.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import { projectRoot } from '../paths';
import { freePort } from './free-port';
import { tempDir } from './harness';

export { freePort };

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
  /** SIGTERM twice (drain, then cancel whatever it holds) and wait (SIGKILL after 20 s). */
  stop(): Promise<void>;
}

const WORKER_MAIN = path.join(projectRoot, 'server', 'cluster', 'worker-main.ts');

/** `npm run worker` as a child process in its own process group (its forked worker dies with it on kill). */
export function startWorkerProcess(
  redis: TestRedis, servers: string[], opts: { name: string; pool?: string; env?: Record<string, string>; args?: string[] },
): WorkerProcess {
  const dir = tempDir(`worker-${opts.name}`);
  let out = '';
  const args = ['--import', 'tsx', WORKER_MAIN, '--server', servers.join(','), '--name', opts.name, '--skip-models', ...(opts.pool ? ['--pool', opts.pool] : []), ...(opts.args ?? [])];
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
        // The first asks it to drain (finish its run); the second to cancel that run: a test's end waits for neither.
        setTimeout(() => child.kill('SIGTERM'), 100).unref();
        const timer = setTimeout(killGroup, 20_000);
        await exited;
        clearTimeout(timer);
      }
      killGroup(); // its forked worker, should it have outlived it
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface OwnRedis {
  url: string;
  port: number;
  /** SIGKILL: every key is gone (it keeps nothing on disk), every connection drops. */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
}

/** A Redis server of the test's own (fault tests restart it; the machine's shared one is left alone). */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      c.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('Ready to accept connections')) resolve();
      });
      c.once('exit', (code) => reject(new Error(`redis-server on port ${port} exited (${code}):\n${out}`)));
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async kill() {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      c.kill('SIGKILL');
      await gone;
    },
    start,
  };
}

/**
 * One URL in front of several web servers, like a load balancer: each new connection goes to the first backend that
 * accepts it, so killing a server sends reconnecting clients to the next one.
 */
export async function startTcpProxy(backends: number[]): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const connectTo = (i: number, client: net.Socket) => {
    if (i >= backends.length) return client.destroy();
    const upstream = net.connect(backends[i], '127.0.0.1');
    let connected = false;
    sockets.add(upstream);
    upstream.once('error', () => {
      sockets.delete(upstream);
      if (!connected) connectTo(i + 1, client); // refused: that server is down, try the next
      else client.destroy();
    });
    upstream.once('connect', () => {
      connected = true;
      client.pipe(upstream).pipe(client);
      upstream.once('close', () => client.destroy());
      client.once('close', () => upstream.destroy());
    });
  };
  const server = net.createServer((client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    connectTo(0, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
