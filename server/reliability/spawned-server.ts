// Test side of server-process.ts (or of `npm start`'s server/main.ts): spawn a real server in its own process group
// (workers included), talk tRPC to it, SIGKILL the whole group like a crash or an OOM kill, or stop it cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createTRPCClient, type TRPCClient } from '@trpc/client';
import { stepflowLinks } from '../../app/lib/trpc-links';
import type { AppRouter } from '../routers';
import { projectRoot } from '../paths';

export interface SpawnedServer {
  pid: number;
  url: string;
  trpc: TRPCClient<AppRouter>;
  /** Live processes of its process group (the server and its forked workers), from /proc. */
  groupPids(): number[];
  /** SIGKILL the process group: server and its workers die at once, nothing is cleaned up. */
  kill(): Promise<void>;
  /** SIGTERM and wait (graceful close); SIGKILL after 20 s. */
  stop(): Promise<void>;
  /** Everything it (and its workers) wrote to stdout and stderr so far. */
  output(): string;
}

const SCRIPTS = {
  /** createServer alone, the bound port printed as `READY <port>`. */
  'server-process': path.join(projectRoot, 'server', 'reliability', 'server-process.ts'),
  /** The whole start-up of `npm start` (model pack check, seed, admin), which logs `serving <url>`. */
  main: path.join(projectRoot, 'server', 'main.ts'),
};

/** Pids whose process group is `group` (Linux /proc; field 5 of stat, after the parenthesised name). */
export function processGroup(group: number): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && Number(fields[2]) === group) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

export async function spawnServer(
  dataDir: string, env: Record<string, string> = {}, script: keyof typeof SCRIPTS = 'server-process',
): Promise<SpawnedServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPTS[script]], {
    cwd: projectRoot,
    detached: true, // its own process group, so one kill reaches the forked workers too
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env, DATA_DIR: dataDir, MODELS_DIR: path.join(dataDir, 'models'), PORT: '0', NODE_ENV: 'test', WORKERS: '1', ...env,
    },
  });
  let stderr = '';
  let all = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
    all += d.toString();
  });
  child.stdout!.on('data', (d: Buffer) => (all += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = out.match(/READY (\d+)\s|serving http:\/\/\S+:(\d+)\s/);
      if (m) resolve(Number(m[1] ?? m[2]));
    });
    child.once('exit', (code, signal) => reject(new Error(`the server process exited (${code ?? signal}) before it was ready:\n${stderr}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const group = child.pid!;
  return {
    pid: group,
    url,
    // The app's own links (auth calls alone, batches of at most 10), as the harness and the browser use them.
    trpc: createTRPCClient<AppRouter>({ links: stepflowLinks({ url: `${url}/api/trpc` }) }),
    groupPids: () => processGroup(group),
    output: () => all,
    async kill() {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited(child);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        try {
          process.kill(-group, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 20_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}
