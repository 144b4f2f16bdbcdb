// `npm start`: check the environment, generate the model pack and build the web app if needed,
// migrate, start workers, seed the library once, serve.
// Production mode unless NODE_ENV says otherwise (`npm run dev` sets development: Next dev server + HMR).
const processEnv = process.env as Record<string, string | undefined>;
processEnv.NODE_ENV ??= 'production';
processEnv.NEXT_TELEMETRY_DISABLED ??= '1';

const { loadEnv, EnvError } = await import('./env');
const { createServer } = await import('./app');
const { ensureNextBuild } = await import('./next-build');
const { seedLibrary } = await import('../prisma/seed');
const { ensureModelPack } = await import('./model-pack');
const { adoptOwnerless } = await import('./auth/admin');
const { createLogger, logTo } = await import('./log');

let env;
try {
  env = loadEnv();
} catch (e) {
  if (e instanceof EnvError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}
const logger = createLogger({ level: env.LOG_LEVEL, pretty: env.NODE_ENV === 'development', name: 'server' });
const log = logTo(logger);

// A failure while starting (port taken, migration, ADMIN_USERNAME refused...) ends the process with its message:
// nothing is serving yet, so there is nothing to keep up.
let server: Awaited<ReturnType<typeof createServer>> | undefined;
try {
  await ensureModelPack(env.MODELS_DIR, log);
  if (env.NODE_ENV === 'production') await ensureNextBuild(log);
  // NODE_ENV=test serves the API, sockets and workers without the web app (tests of this process need no UI build).
  server = await createServer({ env, log, next: env.NODE_ENV !== 'test' });
  // Several scaled web servers may start together on an empty database: one seeds, the others find it seeded.
  const { db, exclusive } = server.services;
  const seeded = await exclusive('start-up', () => seedLibrary(db));
  if (seeded.length) log(`library seeded with ${seeded.join(', ')}`);
  await exclusive('start-up', () => adoptOwnerless(db, env, log));
} catch (e) {
  logger.error({ err: e }, `could not start: ${(e as Error)?.message ?? String(e)}`);
  logger.flush();
  await server?.close().catch(() => undefined);
  process.exit(1);
}
log(`serving ${server.url} (${env.NODE_ENV}; ${env.WORKERS} worker(s), ${env.EXECUTION_PROVIDER}; data in ${env.DATA_DIR})`);

// One stray promise or throw in a request, socket or timer callback must not take every user's runs down with it:
// log it loudly and keep serving. The trade-off (server/README.md, Decisions): after an uncaught exception some
// in-memory state may be inconsistent; a supervisor restart would reset it but would also interrupt every running run.
process.on('unhandledRejection', (reason) => {
  logger.error({ err: reason }, 'unhandled promise rejection (kept running)');
});
process.on('uncaughtException', (e, origin) => {
  logger.error({ err: e, origin }, 'uncaught exception (kept running)');
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) {
      log('second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log(`${signal}: stopping workers, closing the database…`);
    server!.close().then(
      () => process.exit(0),
      (e) => {
        logger.error({ err: e }, 'stopping failed');
        process.exit(1);
      },
    );
  });
}

export {};
