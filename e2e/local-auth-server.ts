// A second StepFlow server with accounts on (AUTH=local), started by the specs that need two users and stopped
// by them. It reuses the production build the main e2e server made, on its own port and throw-away data dir.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from '@playwright/test';
import { freePort } from '../server/testing/free-port';

export interface LocalAuthServer {
  url: string;
  stop(): Promise<void>;
}


async function healthy(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the AUTH=local server exited with code ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the AUTH=local server did not become healthy within ${timeoutMs} ms:\n${output()}`);
}

export async function startLocalAuthServer(): Promise<LocalAuthServer> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-e2e-auth-'));
  let log = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: `file:${path.join(dataDir, 'stepflow.db')}`,
      WORKERS: '1',
      AUTH: 'local',
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD: 'e2e-admin-password',
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const keep = (b: Buffer) => { log = (log + b.toString()).slice(-20_000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      try {
        process.kill(-child.pid!, 'SIGTERM'); // the whole group: the server and its worker processes
      } catch {
        // already gone
      }
      const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 15_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await healthy(url, child, () => log, 180_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, stop };
}

/** Starts the AUTH=local server before this spec file's tests and stops it after; read `.url` inside a test. */
export function useLocalAuthServer(): { readonly url: string } {
  let server: LocalAuthServer | undefined;
  test.beforeAll(async () => {
    test.setTimeout(240_000);
    server = await startLocalAuthServer();
  });
  test.afterAll(async () => {
    await server?.stop();
  });
  return {
    get url() {
      if (!server) throw new Error('the AUTH=local server is not running (use it inside a test)');
      return server.url;
    },
  };
}
