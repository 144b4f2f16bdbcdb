import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvError, loadEnv } from './env';
import { projectRoot } from './paths';

describe('loadEnv', () => {
  it('fills defaults under the project', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      PORT: 3000, WORKERS: 1, EXECUTION_PROVIDER: 'cpu', PREVIEW_FPS: 15, DEBUG_PAUSE_TIMEOUT: 600_000, PREVIEW_RUNS_KEPT: 50, PREVIEW_STEPS: 'watched',
      DATA_DIR: path.join(projectRoot, 'data'), MODELS_DIR: path.join(projectRoot, 'models'),
      databasePath: path.join(projectRoot, 'data', 'stepflow.db'),
    });
    expect(env.DATABASE_URL).toBe(`file:${path.join(projectRoot, 'data', 'stepflow.db')}`);
  });

  it('parses numbers and resolves relative paths from the project root', () => {
    const env = loadEnv({ PORT: '8080', WORKERS: '2', DATA_DIR: 'var/sf', DATABASE_URL: 'file:./db/x.db', PORT_UNUSED: 'x', EXECUTION_PROVIDER: '' });
    expect(env).toMatchObject({ PORT: 8080, WORKERS: 2, DATA_DIR: path.join(projectRoot, 'var/sf'), EXECUTION_PROVIDER: 'cpu' });
    expect(env.databasePath).toBe(path.join(projectRoot, 'db/x.db'));
  });

  it('takes a PostgreSQL DATABASE_URL (no SQLite path then), and refuses other URLs naming both forms without echoing them', () => {
    for (const url of ['postgresql://sf:pw@db.internal:5432/stepflow', 'postgres://localhost/stepflow']) {
      expect(loadEnv({ DATABASE_URL: url })).toMatchObject({ DATABASE_URL: url, databaseKind: 'postgres', databasePath: undefined });
    }
    expect(loadEnv({})).toMatchObject({ databaseKind: 'sqlite' });
    expect(() => loadEnv({ DATABASE_URL: 'mysql://root:hunter2@db/stepflow' })).toThrow(
      'DATABASE_URL: DATABASE_URL must be a SQLite URL like file:./data/stepflow.db or a PostgreSQL URL like '
        + 'postgresql://user:password@host:5432/stepflow (got "mysql:")');
    expect(() => loadEnv({ DATABASE_URL: 'hunter2@db' })).toThrow('(got "(hidden)")');
  });

  it('reports every bad variable at once with what it got', () => {
    let err: unknown;
    try {
      loadEnv({ PORT: 'eighty', PREVIEW_FPS: '5', EXECUTION_PROVIDER: 'tpu', DATABASE_URL: 'mysql://x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EnvError);
    const issues = (err as EnvError).issues;
    expect(issues).toHaveLength(4);
    expect(issues.find((i) => i.startsWith('PREVIEW_FPS'))).toBe('PREVIEW_FPS: PREVIEW_FPS must be at least 10 (got "5")');
    expect(issues.find((i) => i.startsWith('EXECUTION_PROVIDER'))).toBe('EXECUTION_PROVIDER: EXECUTION_PROVIDER must be "cpu" or "cuda" (got "tpu")');
    expect((err as Error).message).toMatch(/^invalid environment:\n {2}- /);
  });

  it('defaults AUTH to none, and wants both admin variables without echoing the password', () => {
    expect(loadEnv({}).AUTH).toBe('none');
    expect(loadEnv({}).SIGNUP).toBe('open');
    expect(() => loadEnv({ SIGNUP: 'invite' })).toThrow('SIGNUP: SIGNUP must be "open" or "closed" (got "invite")');
    expect(loadEnv({ PREVIEW_STEPS: 'all' }).PREVIEW_STEPS).toBe('all');
    expect(() => loadEnv({ PREVIEW_STEPS: 'some' })).toThrow('PREVIEW_STEPS: PREVIEW_STEPS must be "watched" or "all" (got "some")');
    expect(loadEnv({ AUTH: 'local', ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'long enough' })).toMatchObject({ AUTH: 'local', ADMIN_USERNAME: 'root' });
    let err: unknown;
    try {
      loadEnv({ AUTH: 'ldap', ADMIN_PASSWORD: 'short' });
    } catch (e) {
      err = e;
    }
    const issues = (err as EnvError).issues;
    expect(issues).toContain('AUTH: AUTH must be "none" or "local" (got "ldap")');
    expect(issues).toContain('ADMIN_PASSWORD: ADMIN_PASSWORD must be at least 8 characters (got (hidden))');
    expect((err as Error).message).not.toContain('short');
  });

  it('allows WORKERS=0 only in scaled mode (REDIS_URL, which needs WORKER_TOKEN), never echoing the token or the URL', () => {
    const scaled = { REDIS_URL: 'redis://:secret@127.0.0.1:6379/3', WORKER_TOKEN: 'x'.repeat(32) };
    expect(loadEnv({ WORKERS: '0', ...scaled })).toMatchObject({ WORKERS: 0, REDIS_URL: scaled.REDIS_URL, REDIS_PREFIX: 'stepflow' });
    expect(() => loadEnv({ WORKERS: '0' })).toThrow(/WORKERS=0 leaves nobody to run graphs: set REDIS_URL/);
    expect(() => loadEnv({ WORKERS: '0', WORKER_TOKEN: 'x'.repeat(32) })).toThrow(/set REDIS_URL \(scaled mode\)/);
    expect(() => loadEnv({ REDIS_URL: scaled.REDIS_URL })).toThrow(/scaled mode \(REDIS_URL\) needs WORKER_TOKEN/);
    expect(() => loadEnv({ REDIS_URL: 'localhost:6379', WORKER_TOKEN: scaled.WORKER_TOKEN })).toThrow(/REDIS_URL must look like redis:\/\/host:6379 \(or rediss:\/\/ for TLS\) \(got \(hidden\)\)/);
    expect(() => loadEnv({ REDIS_PREFIX: 'a b' })).toThrow(/REDIS_PREFIX must be 1 to 64 letters/);
    let err: unknown;
    try {
      loadEnv({ WORKER_TOKEN: 'too-short' });
    } catch (e) {
      err = e;
    }
    expect((err as EnvError).issues).toEqual(['WORKER_TOKEN: WORKER_TOKEN must be at least 16 characters (use a long random string) (got (hidden))']);
    expect((err as Error).message).not.toContain('too-short');
  });

  it('listens on 127.0.0.1 by default and refuses AUTH=none on a network address unless allowed', () => {
    expect(loadEnv({})).toMatchObject({ HOST: '127.0.0.1', ALLOW_UNAUTHENTICATED: false });
    expect(loadEnv({ HOST: '::1' }).HOST).toBe('::1');
    let err: unknown;
    try {
      loadEnv({ HOST: '0.0.0.0' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EnvError);
    expect((err as EnvError).issues).toEqual([
      'HOST: with AUTH=none (no accounts) anyone who can reach this address could run graphs, read every output and '
      + 'delete workflows: set AUTH=local (with ADMIN_USERNAME and ADMIN_PASSWORD) to expose StepFlow, or '
      + 'ALLOW_UNAUTHENTICATED=1 if everybody on this network is trusted, or leave HOST unset (127.0.0.1) (got "0.0.0.0")',
    ]);
    expect(loadEnv({ HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED: '1' })).toMatchObject({ HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED: true });
    expect(loadEnv({ HOST: '192.168.1.5', AUTH: 'local' })).toMatchObject({ HOST: '192.168.1.5', AUTH: 'local' });
    expect(() => loadEnv({ ALLOW_UNAUTHENTICATED: 'yes' })).toThrow('ALLOW_UNAUTHENTICATED: ALLOW_UNAUTHENTICATED must be 0 or 1 (got "yes")');
  });
});

describe('run-time limits, heartbeat and retention variables', () => {
  it('default to a 30 min run limit, 5 s × 6 heartbeats and retention off', () => {
    expect(loadEnv({})).toMatchObject({
      RUN_TIMEOUT: 1_800_000, CANCEL_GRACE_MS: 15_000, WORKER_HEARTBEAT_MS: 5000, WORKER_HEARTBEAT_MISSES: 6,
      RETENTION_RUN_DAYS: 0, RETENTION_OUTPUT_BYTES: 0, RETENTION_UPLOAD_DAYS: 0, RETENTION_SWEEP_MS: 3_600_000, LOG_LEVEL: 'info',
    });
    expect(loadEnv({ RUN_TIMEOUT: '0', WORKER_HEARTBEAT_MS: '0', RETENTION_RUN_DAYS: '30' })).toMatchObject({ RUN_TIMEOUT: 0, WORKER_HEARTBEAT_MS: 0, RETENTION_RUN_DAYS: 30 });
  });

  it('name the variable and the limit when a value is out of range', () => {
    expect(() => loadEnv({ RUN_TIMEOUT: '-1' })).toThrow('RUN_TIMEOUT: RUN_TIMEOUT must be 0 (off) or more (got "-1")');
    expect(() => loadEnv({ WORKER_HEARTBEAT_MISSES: '1' })).toThrow('WORKER_HEARTBEAT_MISSES: WORKER_HEARTBEAT_MISSES must be at least 2 (got "1")');
    expect(() => loadEnv({ RETENTION_OUTPUT_BYTES: '1.5' })).toThrow('RETENTION_OUTPUT_BYTES: RETENTION_OUTPUT_BYTES must be a whole number (got "1.5")');
    expect(() => loadEnv({ LOG_LEVEL: 'trace' })).toThrow('LOG_LEVEL: LOG_LEVEL must be "error", "warn", "info" or "debug" (got "trace")');
  });
});
