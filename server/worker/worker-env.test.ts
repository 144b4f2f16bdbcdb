// Forked local workers get an allowlisted environment: the server's secrets never reach the process running graphs.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillGraph, sessionClient, startTestServer, tempDir, until, type TestServer } from '../testing/harness';
import { workerEnv, workerMallocTunables } from './worker-env';

const SECRETS = {
  ADMIN_PASSWORD: 'admin-password-in-env',
  WORKER_TOKEN: 'worker-token-in-the-env-0123',
  DATABASE_URL: 'file:/secret/place.db',
  NODE_AUTH_TOKEN: 'npm-registry-token',
  AWS_SECRET_ACCESS_KEY: 'aws-secret',
};
const PASSED = { OMP_NUM_THREADS: '1', ORT_LOGGING_LEVEL: '3', LC_ALL: 'C.UTF-8', CUDA_VISIBLE_DEVICES: '0' };

describe('workerEnv', () => {
  it('keeps the allowlist and drops everything else, secrets even in allowed families', () => {
    const env = workerEnv({ PATH: '/usr/bin', HOME: '/home/x', NODE_OPTIONS: '--max-old-space-size=4096', ...PASSED, ...SECRETS, PORT: '3000', SIGNUP: 'open' });
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/home/x', NODE_OPTIONS: '--max-old-space-size=4096', ...PASSED });
  });

  it('keeps a PostgreSQL DATABASE_URL (it holds the password) and libpq\'s PG* variables away from workers', () => {
    const pg = { DATABASE_URL: 'postgresql://sf:db-password@db.internal:5432/stepflow', PGPASSWORD: 'db-password', PGHOST: 'db.internal', PGUSER: 'sf' };
    expect(workerEnv({ PATH: '/usr/bin', ...pg })).toEqual({ PATH: '/usr/bin' });
  });
});

describe('workerMallocTunables', () => {
  it('asks glibc for transparent huge pages unless the operator set tunables of their own', () => {
    expect(workerMallocTunables({})).toBe('glibc.malloc.hugetlb=1');
    expect(workerMallocTunables({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' })).toBe('glibc.malloc.arena_max=2');
  });
});

describe('a forked worker process', () => {
  let t: TestServer;
  let dir: string;
  const before: Record<string, string | undefined> = {};
  beforeAll(async () => {
    for (const [k, v] of Object.entries({ ...SECRETS, ...PASSED })) {
      before[k] = process.env[k];
      process.env[k] = v;
    }
    dir = tempDir('worker-env');
    t = await startTestServer(dir, { WORKERS: '1', AUTH: 'local', ADMIN_USERNAME: 'root', ADMIN_PASSWORD: SECRETS.ADMIN_PASSWORD });
  });
  afterAll(async () => {
    await t?.close();
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts without ADMIN_PASSWORD, WORKER_TOKEN or DATABASE_URL in its environment, and still runs graphs', async () => {
    const pid = await until(() => t.server.pool.list().find((w) => w.state === 'idle')?.pid, 'the worker to be ready');
    const environ = Object.fromEntries(fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).map((kv) => {
      const eq = kv.indexOf('=');
      return [kv.slice(0, eq), kv.slice(eq + 1)];
    }));
    for (const name of Object.keys(SECRETS)) expect([name, environ[name]]).toEqual([name, undefined]);
    expect(Object.values(environ).join('\n')).not.toContain(SECRETS.ADMIN_PASSWORD);
    expect(environ).toMatchObject({ ...PASSED, PATH: process.env.PATH, MODELS_DIR: t.server.services.env.MODELS_DIR, GLIBC_TUNABLES: workerMallocTunables(process.env) });
    expect(JSON.parse(environ.STEPFLOW_WORKER_CONFIG)).toMatchObject({ workerId: '1', modelsDir: t.server.services.env.MODELS_DIR });

    // The worker works with what it was given: a graph runs and its output is stored.
    const root = sessionClient(t.url);
    await root.trpc.auth.signIn.mutate({ username: 'root', password: SECRETS.ADMIN_PASSWORD });
    const { runId } = await root.trpc.runs.enqueue.mutate({ graph: fillGraph() });
    const { db } = t.server.services;
    const run = await until(async () => {
      const r = await db.run.findUnique({ where: { id: runId } });
      return r && r.status !== 'queued' && r.status !== 'running' ? r : undefined;
    }, 'the run to end');
    expect(run.status).toBe('succeeded');
    expect(await db.artifact.count({ where: { runId, kind: 'image' } })).toBe(1);
  });
});
