// Test harness: a real server (no Next) on a random port over a temp data dir, with tRPC and Socket.io clients.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TRPCClientError, createTRPCClient, type TRPCClient } from '@trpc/client';
import { io as connect, type Socket } from 'socket.io-client';
import { stepflowLinks } from '../../app/lib/trpc-links';
import type { RunEventMap, RunEventName } from '../../nodes/engine/events';
import type { Graph } from '../../nodes/engine/graph';
import { createServer, type StepflowServer } from '../app';
import { loadEnv, type EnvInput } from '../env';
import { workflowsDir } from '../paths';
import type { AppRouter } from '../routers';
import type { ClientToServerEvents, JoinAck, RoomTarget, ServerToClientEvents } from '../socket-types';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ReceivedEvent = { [K in RunEventName]: { name: K; payload: RunEventMap[K] } }[RunEventName];

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `stepflow-${prefix}-`));
}

export interface TestServer {
  server: StepflowServer;
  trpc: TRPCClient<AppRouter>;
  dataDir: string;
  url: string;
  /** `cookie`: a Cookie header for the handshake (AUTH=local sessions). */
  socket(cookie?: string): Promise<TestSocket>;
  close(): Promise<void>;
}

/**
 * `env` adds to the test defaults; `DATABASE_URL` from `createTestDatabase()` (testing/postgres.ts) runs the server
 * on PostgreSQL instead of a SQLite file in dataDir.
 */
export async function startTestServer(
  dataDir: string, env: Partial<Record<keyof EnvInput, string>> = {}, log: (m: string) => void = () => undefined,
): Promise<TestServer> {
  const server = await createServer({
    env: loadEnv({ DATA_DIR: dataDir, MODELS_DIR: path.join(dataDir, 'models'), PORT: '0', NODE_ENV: 'test', ...env }),
    next: false,
    log,
  });
  const url = `http://127.0.0.1:${server.port}`;
  const trpc = createTRPCClient<AppRouter>({ links: stepflowLinks({ url: `${url}/api/trpc` }) });
  const sockets: TestSocket[] = [];
  return {
    server,
    trpc,
    dataDir,
    url,
    async socket(cookie?: string) {
      const s: TestSocket = connect(url, { transports: ['websocket'], forceNew: true, ...(cookie ? { extraHeaders: { Cookie: cookie } } : {}) });
      sockets.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', reject);
      });
      return s;
    },
    async close() {
      for (const s of sockets) s.close();
      await server.close();
    },
  };
}

export function join(s: TestSocket, target: RoomTarget): Promise<JoinAck> {
  return new Promise((resolve) => s.emit('join', target, resolve));
}

/** Records every run event a socket receives, in arrival order. */
export function recordEvents(s: TestSocket): ReceivedEvent[] {
  const seen: ReceivedEvent[] = [];
  s.onAny((name: string, payload: unknown) => seen.push({ name, payload } as ReceivedEvent));
  return seen;
}

export async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls runs.get until the run has ended (succeeded, failed or cancelled); returns that last answer. */
export function runEnded(client: { trpc: TRPCClient<AppRouter> }, runId: string, timeoutMs = 90_000) {
  return until(async () => {
    const r = await client.trpc.runs.get.query({ runId });
    return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
  }, `run ${runId} to end`, timeoutMs);
}

/** The shipped Text to image workflow (sprites model) with this seed and step count. */
export function txt2imgGraph(seed: number, steps: number): Graph {
  const g = JSON.parse(fs.readFileSync(path.join(workflowsDir, 'txt2img.json'), 'utf8')) as Graph;
  const sampler = g.nodes.find((n) => n.id === 'sampler')!;
  sampler.params = { ...sampler.params, seed, steps };
  return g;
}

/** solid colour -> save image: the smallest graph that produces an output file. */
export function fillGraph(color = '#ff0000', width = 64, height = 32) {
  return {
    version: 1 as const,
    nodes: [
      { id: 'fill', type: 'solid_color', typeVersion: 1, params: { width, height, color } },
      { id: 'save', type: 'save_image', typeVersion: 1, params: { filename_prefix: 'out' } },
    ],
    edges: [{ from: { node: 'fill', output: 'image' }, to: { node: 'save', input: 'images' } }],
  };
}

/** Upscale then downscale a large image: several seconds of CPU in node "big", to interrupt. */
export function slowGraph() {
  return {
    version: 1 as const,
    nodes: [
      { id: 'fill', type: 'solid_color', typeVersion: 1, params: { width: 1024, height: 1024, color: '#336699' } },
      { id: 'big', type: 'resize', typeVersion: 1, params: { width: 3072, height: 3072, kernel: 'lanczos3' } },
      { id: 'small', type: 'resize', typeVersion: 1, params: { width: 256, height: 256, kernel: 'lanczos3' } },
      { id: 'save', type: 'save_image', typeVersion: 1, params: {} },
    ],
    edges: [
      { from: { node: 'fill', output: 'image' }, to: { node: 'big', input: 'image' } },
      { from: { node: 'big', output: 'image' }, to: { node: 'small', input: 'image' } },
      { from: { node: 'small', output: 'image' }, to: { node: 'save', input: 'images' } },
    ],
  };
}

/** A tRPC client that keeps its session cookie, like one browser (AUTH=local tests). */
export interface SessionClient {
  trpc: TRPCClient<AppRouter>;
  /** The Cookie header this client sends ('' when signed out). */
  cookie(): string;
  /** Every Set-Cookie header received, raw. */
  setCookies: string[];
}

export function sessionClient(url: string, headers: Record<string, string> = {}): SessionClient {
  const jar = new Map<string, string>();
  const setCookies: string[] = [];
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const trpc = createTRPCClient<AppRouter>({
    links: stepflowLinks({
      url: `${url}/api/trpc`,
      headers: () => ({ ...headers, ...(jar.size ? { cookie: cookie() } : {}) }),
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        for (const c of res.headers.getSetCookie()) {
          setCookies.push(c);
          const [pair] = c.split(';');
          const eq = pair.indexOf('=');
          const value = pair.slice(eq + 1);
          if (value && !/max-age=0/i.test(c)) jar.set(pair.slice(0, eq), value);
          else jar.delete(pair.slice(0, eq));
        }
        return res;
      },
    }),
  });
  return { trpc, cookie, setCookies };
}

/** 'ok', or the tRPC error code the call was refused with (permission tests compare these). */
export async function trpcOutcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof TRPCClientError) return String(e.data?.code);
    throw e;
  }
}

/** The tRPC error a call was refused with (the test fails if the call succeeds). */
export async function trpcRejection(p: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TRPCClientError) return e as TRPCClientError<AppRouter>;
    throw e;
  }
  throw new Error('expected the call to be rejected');
}

/** A server with accounts on (AUTH=local): ann and bob signed up, root (the admin) signed in. Closing removes its data. */
export interface TeamServer extends TestServer {
  ann: SessionClient;
  bob: SessionClient;
  admin: SessionClient;
}

export const TEAM_ADMIN = { username: 'root', password: 'admin-secret-1' } as const;

/** Where most access tests start; `env` adds to (or overrides) AUTH=local and the admin's name and password. */
export async function startTeamServer(prefix: string, env: Partial<Record<keyof EnvInput, string>> = {}): Promise<TeamServer> {
  const dataDir = tempDir(prefix);
  const t = await startTestServer(dataDir, { AUTH: 'local', ADMIN_USERNAME: TEAM_ADMIN.username, ADMIN_PASSWORD: TEAM_ADMIN.password, ...env });
  const [ann, bob, admin] = [sessionClient(t.url), sessionClient(t.url), sessionClient(t.url)];
  await ann.trpc.auth.signUp.mutate({ username: 'ann', password: 'ann-password' });
  await bob.trpc.auth.signUp.mutate({ username: 'bob', password: 'bob-password' });
  await admin.trpc.auth.signIn.mutate(TEAM_ADMIN);
  return {
    ...t, ann, bob, admin,
    async close() {
      await t.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
