// The real `npm start` process (server/main.ts, NODE_ENV=test: no web app) survives an unhandled rejection and an
// uncaught exception: it logs both and still answers /api/health. The faults come from a test-only preload.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from './paths';
import { tempDir, until } from './testing/harness';

const dataDir = tempDir('main');
let child: ChildProcess | undefined;

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('server/main.ts process handlers', () => {
  it('log an unhandled rejection and an uncaught exception and keep serving', async () => {
    let output = '';
    child = spawn(process.execPath, ['--import', 'tsx', '--import', './server/testing/fault-preload.ts', 'server/main.ts'], {
      cwd: projectRoot,
      env: {
        ...process.env, NODE_ENV: 'test', DATA_DIR: dataDir, DATABASE_URL: '', PORT: '0',
        WORKERS: '0', WORKER_TOKEN: 'main-test-token-0123456789', MODELS_DIR: path.join(projectRoot, 'models'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (b: Buffer) => { output += b.toString(); });
    child.stderr!.on('data', (b: Buffer) => { output += b.toString(); });
    const port = await until(() => /serving http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1] ?? (child!.exitCode !== null ? 'exited' : undefined), 'the server to start', 120_000);
    expect(port).not.toBe('exited');
    const health = async () => (await fetch(`http://127.0.0.1:${port}/api/health`)).status;
    expect(await health()).toBe(200);

    child.kill('SIGUSR2');
    await until(() => (output.includes('test fault: an exception nobody catches') || child!.exitCode !== null ? true : undefined), 'the faults to be logged');
    // JSON lines (pino): level 50 = error, the error itself under `err`.
    const lines = output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string; err?: { message: string }; origin?: string });
    expect(lines.find((l) => l.msg === 'unhandled promise rejection (kept running)')).toMatchObject({ level: 50, err: { message: 'test fault: a rejected promise nobody handles' } });
    expect(lines.find((l) => l.msg === 'uncaught exception (kept running)')).toMatchObject({ level: 50, origin: 'uncaughtException', err: { message: 'test fault: an exception nobody catches' } });
    expect(child.exitCode).toBeNull();
    expect(await health()).toBe(200);
  }, 150_000);

  it('a failure while starting ends the process with exit code 1 and the reason (the keep-running handlers come after)', async () => {
    // The port is taken, so listening fails after migrations and workers set-up have begun.
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const failing = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
        cwd: projectRoot,
        env: {
          ...process.env, NODE_ENV: 'test', DATA_DIR: tempDir('main-fail'), DATABASE_URL: '', PORT: String(port),
          WORKERS: '0', WORKER_TOKEN: 'main-test-token-0123456789', MODELS_DIR: path.join(projectRoot, 'models'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      failing.stdout!.on('data', (b: Buffer) => { output += b.toString(); });
      failing.stderr!.on('data', (b: Buffer) => { output += b.toString(); });
      const code = await new Promise<number | null>((resolve) => failing.once('exit', (c) => resolve(c)));
      expect(code).toBe(1);
      expect(output).toMatch(/could not start: .*EADDRINUSE/);
      expect(output).not.toContain('kept running');
    } finally {
      blocker.close();
    }
  }, 150_000);
});
