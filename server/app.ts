// Builds the whole server: database (migrated), services, workers, run queue, and one HTTP server
// carrying tRPC (/api/trpc), artifacts (/api/artifacts), the HTTP API (/api/workflows, /api/runs: server/api/),
// Socket.io and, optionally, the Next.js app.
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { ModelStore } from '../nodes/runtime/models';
import { migrateDatabase } from '../prisma/migrate-database';
import { graphLimits } from './graph-checks';
import { assertTrpcBodyAccepted, screenTrpcBody, trpcBodyLimit } from './limits/trpc-body';
import { createApiHandler, isApiPath } from './api/http';
import { ARTIFACTS_PREFIX, createArtifactHandler } from './artifacts/http';
import { ArtifactStore } from './artifacts/store';
import { createStepFrameHandler, STEP_FRAMES_PREFIX } from './steps/frame-http';
import { StepStore } from './steps/step-store';
import { AccessChanges, type AccessChange } from './auth/access-changes';
import { ensureAdmin } from './auth/admin';
import { createAuthLimits } from './auth/rate-limit';
import { createRedisAuthLimits } from './auth/redis-limits';
import { startSessionPurge } from './auth/session-purge';
import { renewSession, sessionCookie, sessionFromCookie, sessionTerms } from './auth/session';
import { describeDatabaseUrl } from './database-url';
import { openDatabase } from './db';
import { checkTrpcBatch } from './http/trpc-batch-limit';
import type { Env } from './env';
import { projectRoot } from './paths';
import { RunQueue } from './queue/queue';
import { RunRecorder } from './queue/run-recorder';
import { startRetention } from './retention/retention';
import { removeOrphanTempFiles } from './retention/temp-files';
import { appRouter } from './routers';
import type { Services } from './services';
import { attachSocket, type StepflowIo } from './socket';
import { createHealthHandler, HEALTH_PATH } from './http/health';
import { boundUrl } from './http/listen-address';
import { securityHeaders } from './http/security-headers';
import { createTemplatePreviewHandler, TEMPLATE_PREVIEWS_PREFIX } from './http/template-previews';
import { createInputHandler, INPUTS_PREFIX } from './inputs/http';
import { createInputReadCheck } from './inputs/read-access';
import { WorkerPool } from './worker/pool';
import type { WorkerConfig, WorkerMemory } from './worker/protocol';
import { Metrics } from './metrics/metrics';
import { createMetricsHandler, METRICS_PATH } from './metrics/http';
import { getCatalog } from '../nodes/registry';
import { openScaledMode, startScaledServices } from './cluster/scaled-mode';
import { createWorkerApi, WORKER_API_PREFIX } from './cluster/worker-api';
import { createLogger, logTo, type Log } from './log';
import { clusterListenerCount } from './cluster/cluster-listeners';
import { RedisKeyLock } from './cluster/redis-lock';

/** tRPC paths carrying a runs.enqueue call, alone or in a batch (`/api/trpc/a.b,runs.enqueue?batch=1`). */
export const ENQUEUE_PATH = /^\/api\/trpc\/(?:[^?]*,)?runs\.enqueue(?:[,?]|$)/;

export interface ServerOptions {
  env: Env;
  /** Serve the Next.js pages too (default true). Tests pass false for speed. */
  next?: boolean;
  /** Host to listen on; default env.HOST (127.0.0.1 unless configured). */
  hostname?: string;
  log?: Log;
}

export interface StepflowServer {
  /** The address actually bound, e.g. http://127.0.0.1:3000 (also with PORT=0). */
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
  const log = opts.log ?? logTo(createLogger({ level: env.LOG_LEVEL, name: 'server' }));

  const migrated = await migrateDatabase(env.DATABASE_URL);
  if (migrated.applied.length) log(`database ${env.databasePath ?? describeDatabaseUrl(env.DATABASE_URL)}: applied ${migrated.applied.join(', ')}`);
  const db = await openDatabase(env.DATABASE_URL);
  const models = new ModelStore(env.MODELS_DIR);
  const artifacts = new ArtifactStore(env.DATA_DIR);
  // Read when scraped: `pool` and `scaled` exist by then (the sources are only called from GET /metrics).
  const metrics = new Metrics({
    queueDepth: async () => (await db.run.groupBy({ by: ['pool'], where: { status: 'queued' }, _count: true })).map((g) => ({ pool: g.pool, count: g._count })),
    workerMemory: async () => workerMemory(),
  });
  const recorder = new RunRecorder(db, artifacts, metrics);
  // Scaled mode (REDIS_URL): BullMQ, the Socket.io Redis adapter, worker hosts (server/cluster/).
  const scaled = env.REDIS_URL ? await openScaledMode(env, log).catch(async (e: unknown) => {
    await db.$disconnect();
    throw e;
  }) : undefined;
  const startLock = scaled ? new RedisKeyLock(scaled.redis, `${env.REDIS_PREFIX}:once`) : undefined;
  const queue = new RunQueue({
    metrics,
    remote: scaled?.dispatch,
    serialiser: scaled ? new RedisKeyLock(scaled.redis, `${env.REDIS_PREFIX}:enqueue`) : undefined,
    db, models, recorder, previewFps: env.PREVIEW_FPS, previewRunsKept: env.PREVIEW_RUNS_KEPT, log,
    limits: { maxQueuedRunsPerUser: env.MAX_QUEUED_RUNS_PER_USER, maxBatchCount: env.MAX_BATCH_COUNT, graph: graphLimits(env) },
    runTimeoutMs: env.RUN_TIMEOUT, cancelGraceMs: env.CANCEL_GRACE_MS,
    batching: { windowMs: env.BATCH_WINDOW_MS, maxBatch: env.MAX_BATCH },
  });
  const services: Services = {
    env, db, models, artifacts, queue, log,
    authLimits: scaled ? createRedisAuthLimits(scaled.redis, env.REDIS_PREFIX) : createAuthLimits(),
    accessChanges: new AccessChanges(),
    metrics,
    // Called at request time, when the pool exists.
    workers: () => (scaled ? scaled.workers() : localWorkers()),
    exclusive: scaled ? (key, task) => startLock!.run(key, task) : (_key, task) => task(),
  };
  if (env.AUTH === 'local') {
    // A refused admin (auth/admin.ts) stops start-up; the database must not stay open behind the error.
    await services.exclusive('start-up', () => ensureAdmin(db, env, log)).catch(async (e: unknown) => {
      await db.$disconnect();
      throw e;
    });
  }
  const recovered = await queue.recover();
  if (recovered.interrupted || recovered.queued) {
    log(`recovered: ${recovered.interrupted} interrupted run(s), ${recovered.queued} queued run(s) to dispatch`);
  }
  // Before anything writes: a *.tmp there now is what a crash left half-written.
  const orphans = await removeOrphanTempFiles(env.DATA_DIR);
  if (orphans.files) log(`removed ${orphans.files} orphan temporary file(s) (${orphans.bytes} bytes): ${orphans.paths.join(', ')}`);

  const terms = sessionTerms(env);
  const sessionPurge = env.AUTH === 'local'
    ? startSessionPurge({ db, terms, intervalMs: env.SESSION_PURGE_INTERVAL, log })
    : null;
  const trpcHandler = createHTTPHandler({
    router: appRouter,
    basePath: '/api/trpc/',
    // Per-procedure caps are applied by screenTrpcBody (MAX_BODY_BYTES); this is the adapter's backstop.
    maxBodySize: trpcBodyLimit('/api/trpc/inputs.upload', env.MAX_BODY_BYTES),
    createContext: async ({ req, res, info }) => {
      checkTrpcBatch(info);
      assertTrpcBodyAccepted(req, env.MAX_BODY_BYTES);
      const session = env.AUTH === 'local' ? await sessionFromCookie(db, req.headers.cookie) : null;
      const renewed = session ? await renewSession(db, session, terms) : null;
      if (session && renewed) res.appendHeader('Set-Cookie', sessionCookie(req, session.sid, renewed));
      return { ...services, req, res, viewer: { enforced: env.AUTH === 'local', user: session?.user ?? null } };
    },
    onError: ({ error, path: p }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') log(`tRPC ${p}: ${error.stack ?? error.message}`);
    },
  });
  const artifactHandler = createArtifactHandler(db, artifacts, env.AUTH === 'local');
  const stepFrameHandler = createStepFrameHandler(db, new StepStore(env.DATA_DIR), env.AUTH === 'local');
  // Uploads first, then the example inputs shipped with the workflows (same layout as nodes/paths.ts).
  const inputDirs = [path.join(env.DATA_DIR, 'inputs'), path.join(projectRoot, 'workflows', 'inputs')];
  const inputHandler = createInputHandler(inputDirs, createInputReadCheck(db, { enforced: env.AUTH === 'local', workerToken: env.WORKER_TOKEN }));
  const apiHandler = createApiHandler(services);
  const templatePreviewHandler = createTemplatePreviewHandler();
  let nextHandler: ((req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) | undefined;

  const headersFor = securityHeaders({ dev: env.NODE_ENV !== 'production' });
  const httpServer = http.createServer((req, res) => {
    const url = req.url ?? '/';
    for (const [name, value] of Object.entries(headersFor(req))) res.setHeader(name, value);
    if (url.startsWith('/api/trpc/')) {
      // An enqueue's batch window counts from here, before its body is read (queue/arrivals.ts).
      if (ENQUEUE_PATH.test(url)) {
        const { closed } = services.queue.requestArrived(req);
        res.once('close', closed);
      }
      return void screenTrpcBody(req, res, env.MAX_BODY_BYTES).then(() => trpcHandler(req, res), () => res.destroy());
    }
    if (url.startsWith(ARTIFACTS_PREFIX)) {
      return void artifactHandler(req, res).catch((e) => {
        log(`artifact ${url}: ${(e as Error).stack ?? e}`);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'internal', message: 'could not read the artifact' } }));
      });
    }
    if (url.startsWith(STEP_FRAMES_PREFIX)) {
      return void stepFrameHandler(req, res).catch((e) => {
        log(`step frame ${url}: ${(e as Error).stack ?? e}`);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'internal', message: 'could not draw the step' } }));
      });
    }
    if (url.startsWith(TEMPLATE_PREVIEWS_PREFIX)) return templatePreviewHandler(req, res);
    if (isApiPath(url)) return void apiHandler(req, res);
    if (url.startsWith(INPUTS_PREFIX)) {
      return void inputHandler(req, res).catch((e) => {
        log(`input ${url}: ${(e as Error).stack ?? e}`);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'internal', message: 'could not read the input image' } }));
      });
    }
    if (url.startsWith(WORKER_API_PREFIX)) return void workerApi(req, res);
    if (url === METRICS_PATH || url.startsWith(`${METRICS_PATH}?`)) {
      return void metricsHandler(req, res).catch((e) => {
        log(`metrics: ${(e as Error).stack ?? e}`);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'internal', message: 'could not collect the metrics' } }));
      });
    }
    if (url === HEALTH_PATH) {
      return void healthHandler(req, res).catch((e) => {
        log(`health: ${(e as Error).stack ?? e}`);
        // The probe still answers: the process is up even if the database is not.
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error: { code: 'internal', message: 'could not check who is asking' } }));
      });
    }
    if (nextHandler) return void nextHandler(req, res);
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'not_found', message: `nothing at ${url} (the web app is not served by this instance)` } }));
  });

  const { io, broadcaster } = attachSocket(
    httpServer, queue, { db, enforced: env.AUTH === 'local', changes: services.accessChanges }, headersFor, scaled?.adapter,
  );
  if (scaled) {
    // Access changes made on one web server reach the sockets of all (auth/access-changes.ts).
    services.accessChanges.forwardTo((change) => io.serverSideEmit('access-change', change));
    io.on('access-change', (change: AccessChange) => void services.accessChanges.applyRemote(change));
  }
  const runtime: Omit<WorkerConfig, 'workerId'> = {
    modelsDir: env.MODELS_DIR,
    inputDirs,
    provider: env.EXECUTION_PROVIDER,
    cacheBytes: env.CACHE_BYTES,
    promptCacheBytes: env.PROMPT_CACHE_BYTES,
    modelBudgetBytes: env.MODEL_BUDGET_BYTES,
    spinWait: env.ORT_SPIN_WAIT === '1',
    debugPauseTimeoutMs: env.DEBUG_PAUSE_TIMEOUT,
    maxImagePixels: env.MAX_IMAGE_PIXELS,
    previewFps: env.PREVIEW_FPS,
    previewSteps: env.PREVIEW_STEPS,
  };
  // Scaled mode's WORKERS are worker hosts (started once this server listens), not processes of this pool.
  const pool = new WorkerPool({
    count: scaled ? 0 : env.WORKERS,
    log,
    config: runtime,
    handlers: {
      onReady: (w) => queue.onWorkerReady(w),
      onMessage: (w, m) => queue.onWorkerMessage(w, m),
      onExit: (w, e) => queue.onWorkerExit(w, e),
      onProtocolError: (w, problem, runIds) => queue.onWorkerProtocolError(w, problem, runIds),
    },
    heartbeat: { intervalMs: env.WORKER_HEARTBEAT_MS, misses: env.WORKER_HEARTBEAT_MISSES },
  });
  queue.attach(pool, broadcaster);
  const localWorkers = async () => pool.list().map((w) => ({
    id: w.id, state: w.state, provider: w.provider ?? null, runId: w.runIds[0] ?? null, promptCache: w.promptCache ?? null,
    // As a worker host reports them in scaled mode (cluster/worker-host.ts), for /monitor's worker table.
    pool: env.WORKER_POOL, memory: w.memory ?? null,
  }));
  const healthHandler = createHealthHandler(db, services.workers, env.AUTH === 'local');
  const metricsHandler = createMetricsHandler({ metrics, db, enforced: env.AUTH === 'local', token: env.METRICS_TOKEN });
  // Each worker's own report of its memory, from its last heartbeat: the pool's (embedded) or Redis (scaled).
  const workerMemory = async () => {
    const reports = scaled
      ? (await scaled.workers() as { id: string; memory?: WorkerMemory | null }[]).map((w) => ({ id: w.id, memory: w.memory ?? undefined }))
      : pool.list().map((w) => ({ id: w.id, memory: w.memory }));
    return reports.flatMap(({ id, memory }) => (memory
      ? [
        { worker: id, kind: 'rss' as const, bytes: memory.rss }, { worker: id, kind: 'onnx_sessions' as const, bytes: memory.onnxSessions },
        ...(memory.gpu !== undefined ? [{ worker: id, kind: 'gpu' as const, bytes: memory.gpu }] : []),
      ]
      : []));
  };
  const workerApi = scaled
    ? createWorkerApi({
      db, store: artifacts, recorder, queue, token: env.WORKER_TOKEN!, log,
      settings: { previewFps: env.PREVIEW_FPS, previewSteps: env.PREVIEW_STEPS, previewRunsKept: env.PREVIEW_RUNS_KEPT, cancelGraceMs: env.CANCEL_GRACE_MS, runTimeoutMs: env.RUN_TIMEOUT },
      affinity: { window: env.AFFINITY_WINDOW, maxWaitMs: env.AFFINITY_MAX_WAIT },
      batching: { windowMs: env.BATCH_WINDOW_MS, maxBatch: env.MAX_BATCH },
      listeners: (runId, room) => clusterListenerCount(io, runId, room), metrics,
    })
    : async (_req: http.IncomingMessage, res: http.ServerResponse) => {
      res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: { code: 'scaled_mode_off', message: 'this server runs its own workers; start the servers with REDIS_URL (scaled mode) to take workers from `npm run worker`' } }));
    };

  let closeNext: (() => Promise<void>) | undefined;
  if (opts.next !== false) {
    const { default: next } = await import('next');
    const dev = env.NODE_ENV !== 'production';
    const app = next({ dev, dir: projectRoot, httpServer, port: env.PORT, hostname: opts.hostname ?? env.HOST });
    await app.prepare();
    const handle = app.getRequestHandler();
    nextHandler = (req, res) => handle(req, res);
    closeNext = () => app.close();
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(env.PORT, opts.hostname ?? env.HOST, () => resolve());
  });
  const bound = httpServer.address() as AddressInfo;
  const port = bound.port;
  pool.start();
  const url = boundUrl(bound);
  const scaledServices = scaled
    ? await startScaledServices({
      scaled, env, db, io, queue, broadcaster, url: url.replace('0.0.0.0', '127.0.0.1').replace('[::]', '[::1]'),
      runtime, catalog: new Map(getCatalog().map((c) => [c.type, c])), log, metrics,
    })
    : undefined;
  const retention = startRetention({
    db, store: artifacts, log, logIds: env.LOG_LEVEL === 'debug', intervalMs: env.RETENTION_SWEEP_MS,
    policy: { runDays: env.RETENTION_RUN_DAYS, outputBytes: env.RETENTION_OUTPUT_BYTES, uploadDays: env.RETENTION_UPLOAD_DAYS },
  });

  let closing: Promise<void> | undefined;
  const close = () => (closing ??= (async () => {
    queue.beginStop();
    await retention.stop();
    await scaledServices?.close();
    await pool.stop();
    await queue.stop();
    await new Promise<void>((resolve) => {
      io.close(() => resolve());
      httpServer.closeAllConnections();
    });
    await closeNext?.().catch(() => undefined);
    await sessionPurge?.stop();
    await scaled?.close();
    await db.$disconnect();
  })());

  return { url, port, httpServer, io, services, pool, close };
}
