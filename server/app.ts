// Builds the whole server: database (migrated), services, workers, run queue, and one HTTP server
// carrying tRPC (/api/trpc), artifacts (/api/artifacts), the HTTP API (/api/workflows, /api/runs: server/api/),
// Socket.io and, optionally, the Next.js app.
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { ModelStore } from '../nodes/runtime/models';
import { applyMigrations } from '../prisma/migrate';
import { createApiHandler, isApiPath } from './api/http';
import { ARTIFACTS_PREFIX, createArtifactHandler } from './artifacts/http';
import { ArtifactStore } from './artifacts/store';
import { AccessChanges } from './auth/access-changes';
import { ensureAdmin } from './auth/admin';
import { FailureLimiter } from './auth/rate-limit';
import { renewSession, sessionCookie, sessionFromCookie } from './auth/session';
import { openDb } from './db';
import type { Env } from './env';
import { migrationsDir, projectRoot } from './paths';
import { RunQueue } from './queue/queue';
import { RunRecorder } from './queue/run-recorder';
import { appRouter } from './routers';
import type { Services } from './services';
import { attachSocket, type StepflowIo } from './socket';
import { createInputHandler, INPUTS_PREFIX } from './inputs/http';
import { createInputReadCheck } from './inputs/read-access';
import { WorkerPool } from './worker/pool';
import { attachRemoteWorkers, REMOTE_WORKER_CHECK, type RemoteWorkers } from './worker/remote-host';

export interface ServerOptions {
  env: Env;
  /** Serve the Next.js pages too (default true). Tests pass false for speed. */
  next?: boolean;
  /** Host to listen on; default all interfaces. */
  hostname?: string;
  log?: (message: string) => void;
}

export interface StepflowServer {
  url: string;
  port: number;
  httpServer: http.Server;
  io: StepflowIo;
  services: Services;
  pool: WorkerPool;
  close(): Promise<void>;
}

export async function createServer(opts: ServerOptions): Promise<StepflowServer> {
  const { env } = opts;
  const log = opts.log ?? ((m: string) => console.log(`[stepflow] ${m}`));

  const migrated = applyMigrations(env.databasePath, migrationsDir);
  if (migrated.applied.length) log(`database ${env.databasePath}: applied ${migrated.applied.join(', ')}`);
  const db = await openDb(env.databasePath);
  const models = new ModelStore(env.MODELS_DIR);
  const artifacts = new ArtifactStore(env.DATA_DIR);
  const recorder = new RunRecorder(db, artifacts);
  const queue = new RunQueue({
    db, models, recorder, previewFps: env.PREVIEW_FPS, previewRunsKept: env.PREVIEW_RUNS_KEPT, log,
  });
  const services: Services = {
    env, db, models, artifacts, queue, log,
    signInLimits: { account: new FailureLimiter(5, 60_000), ip: new FailureLimiter(20, 60_000) },
    accessChanges: new AccessChanges(),
  };
  if (env.AUTH === 'local') await ensureAdmin(db, env, log);
  const recovered = await queue.recover();
  if (recovered.interrupted || recovered.queued) {
    log(`recovered: ${recovered.interrupted} interrupted run(s), ${recovered.queued} queued run(s) to dispatch`);
  }

  const trpcHandler = createHTTPHandler({
    router: appRouter,
    basePath: '/api/trpc/',
    // Graphs are JSON of at most a few MB; anything far larger is a mistake or an attack.
    maxBodySize: 32 * 1024 * 1024,
    createContext: async ({ req, res }) => {
      const session = env.AUTH === 'local' ? await sessionFromCookie(db, req.headers.cookie) : null;
      const renewed = session ? await renewSession(db, session) : null;
      if (session && renewed) res.appendHeader('Set-Cookie', sessionCookie(req, session.sid, renewed));
      return { ...services, req, res, viewer: { enforced: env.AUTH === 'local', user: session?.user ?? null } };
    },
    onError: ({ error, path: p }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') log(`tRPC ${p}: ${error.stack ?? error.message}`);
    },
  });
  const artifactHandler = createArtifactHandler(db, artifacts, env.AUTH === 'local');
  // Uploads first, then the example inputs shipped with the workflows (same layout as nodes/paths.ts).
  const inputDirs = [path.join(env.DATA_DIR, 'inputs'), path.join(projectRoot, 'workflows', 'inputs')];
  const inputHandler = createInputHandler(inputDirs, createInputReadCheck(db, { enforced: env.AUTH === 'local', workerToken: env.WORKER_TOKEN }));
  const apiHandler = createApiHandler(services);
  let nextHandler: ((req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) | undefined;

  const httpServer = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/api/trpc/')) return void trpcHandler(req, res);
    if (url.startsWith(ARTIFACTS_PREFIX)) {
      return void artifactHandler(req, res).catch((e) => {
        log(`artifact ${url}: ${(e as Error).stack ?? e}`);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'internal', message: 'could not read the artifact' } }));
      });
    }
    if (isApiPath(url)) return void apiHandler(req, res);
    if (url.startsWith(INPUTS_PREFIX)) {
      return void inputHandler(req, res).catch((e) => {
        log(`input ${url}: ${(e as Error).stack ?? e}`);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'internal', message: 'could not read the input image' } }));
      });
    }
    // Remote workers' pre-flight (and a clear refusal when they are off); their socket path is served by remote-host.
    if (url === REMOTE_WORKER_CHECK || url.startsWith('/api/workers/')) return void remote.handleHttp(req, res);
    if (url === '/api/health') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      return void res.end(JSON.stringify({
        ok: true,
        workers: pool.list().map((w) => ({
          id: w.id, state: w.state, provider: w.provider ?? null, runId: w.runId ?? null, remote: w.remote?.name ?? null,
        })),
      }));
    }
    if (nextHandler) return void nextHandler(req, res);
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'not_found', message: `nothing at ${url} (the web app is not served by this instance)` } }));
  });

  const { io, broadcaster } = attachSocket(httpServer, queue, { db, enforced: env.AUTH === 'local', changes: services.accessChanges });
  const pool = new WorkerPool({
    count: env.WORKERS,
    log,
    config: {
      modelsDir: env.MODELS_DIR,
      inputDirs,
      provider: env.EXECUTION_PROVIDER,
      cacheBytes: env.CACHE_BYTES,
      modelBudgetBytes: env.MODEL_BUDGET_BYTES,
      debugPauseTimeoutMs: env.DEBUG_PAUSE_TIMEOUT,
    },
    handlers: {
      onReady: (w) => queue.onWorkerReady(w),
      onMessage: (w, m) => queue.onWorkerMessage(w, m),
      onExit: (w, e) => queue.onWorkerExit(w, e),
    },
  });
  queue.attach(pool, broadcaster);
  const remote: RemoteWorkers = attachRemoteWorkers(httpServer, pool, { token: env.WORKER_TOKEN, log });

  let closeNext: (() => Promise<void>) | undefined;
  if (opts.next !== false) {
    const { default: next } = await import('next');
    const dev = env.NODE_ENV !== 'production';
    const app = next({ dev, dir: projectRoot, httpServer, port: env.PORT, hostname: opts.hostname ?? 'localhost' });
    await app.prepare();
    const handle = app.getRequestHandler();
    nextHandler = (req, res) => handle(req, res);
    closeNext = () => app.close();
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(env.PORT, opts.hostname, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  pool.start();

  let closing: Promise<void> | undefined;
  const close = () => (closing ??= (async () => {
    queue.beginStop();
    await pool.stop();
    await queue.stop();
    await remote.close();
    await new Promise<void>((resolve) => {
      io.close(() => resolve());
      httpServer.closeAllConnections();
    });
    await closeNext?.().catch(() => undefined);
    await db.$disconnect();
  })());

  return { url: `http://localhost:${port}`, port, httpServer, io, services, pool, close };
}
