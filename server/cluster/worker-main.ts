// `REDIS_URL=… WORKER_TOKEN=… npm run worker -- --server http://api:3000[,http://api2:3000] [--device N] [--pool NAME]
// [--name NAME] [--skip-models]`: a worker host on any machine (scaled mode). Jobs and events go through Redis;
// input images and outputs through the API at --server; it needs no database credentials. Its models, provider
// (EXECUTION_PROVIDER) and memory budgets are its own; the built-in pack is generated if missing.
import os from 'node:os';
import path from 'node:path';
import { getCatalog } from '../../nodes/registry';
import { EnvError, loadEnv } from '../env';
import { createLogger, envLogLevel, logTo } from '../log';
import { ensureModelPack } from '../model-pack';
import { projectRoot } from '../paths';
import { DEFAULT_POOL, POOL_PATTERN, POOL_SHAPE } from '../queue/pools';
import { WorkerApiError } from './api-client';
import { startWorkerHost } from './worker-host';

const logger = createLogger({ level: envLogLevel(process.env.LOG_LEVEL), pretty: process.env.NODE_ENV === 'development', name: 'worker-host' });
const log = logTo(logger);
const fail = (m: string): never => {
  logger.error(m);
  logger.flush();
  process.exit(1);
};

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const serverArg = argValue('--server') ?? process.env.STEPFLOW_SERVER;
if (!serverArg) fail('say which API to work for: npm run worker -- --server http://host:3000 (or STEPFLOW_SERVER); several, comma-separated, are tried in turn');
const servers = serverArg!.split(',').map((s) => {
  try {
    return new URL(s.trim());
  } catch {
    return fail(`--server "${s}" is not a URL like http://host:3000`);
  }
});
const token = process.env.WORKER_TOKEN ?? fail('set WORKER_TOKEN to the servers\' WORKER_TOKEN (an environment variable, so it stays out of `ps`)');
const redisUrl = process.env.REDIS_URL ?? fail('set REDIS_URL to the Redis the web servers use (redis://host:6379)');
const deviceArg = argValue('--device');
const device = deviceArg === undefined ? undefined : Number(deviceArg);
if (device !== undefined && !(Number.isInteger(device) && device >= 0)) fail(`--device "${deviceArg}" must be a CUDA device number (0, 1, …)`);
const pool = argValue('--pool') ?? DEFAULT_POOL;
if (!POOL_PATTERN.test(pool)) fail(`--pool "${pool}" must be ${POOL_SHAPE}`);
const name = (argValue('--name') ?? os.hostname()).replace(/[^\w.@-]/g, '_').slice(0, 64) || 'worker';

let env;
try {
  env = loadEnv({ ...process.env, WORKERS: '0' });
} catch (e) {
  if (e instanceof EnvError) fail(e.message);
  throw e;
}

if (!process.argv.includes('--skip-models')) await ensureModelPack(env!.MODELS_DIR, log);
let host;
try {
  host = await startWorkerHost({
    redisUrl, prefix: env!.REDIS_PREFIX, token, servers, pool, name,
    runtime: {
      modelsDir: env!.MODELS_DIR,
      inputDirs: [path.join(env!.DATA_DIR, 'inputs'), path.join(projectRoot, 'workflows', 'inputs')],
      provider: env!.EXECUTION_PROVIDER,
      cudaDeviceId: device,
      cacheBytes: env!.CACHE_BYTES,
      promptCacheBytes: env!.PROMPT_CACHE_BYTES,
      modelBudgetBytes: env!.MODEL_BUDGET_BYTES,
      spinWait: env!.ORT_SPIN_WAIT === '1',
      debugPauseTimeoutMs: env!.DEBUG_PAUSE_TIMEOUT,
      maxImagePixels: env!.MAX_IMAGE_PIXELS,
    },
    catalog: new Map(getCatalog().map((c) => [c.type, c])),
    log,
  });
} catch (e) {
  if (e instanceof WorkerApiError) fail(e.message);
  fail(`could not start: ${(e as Error).message}`);
}

// First signal: drain (no new runs; the one in flight finishes). Second: cancel it (recorded as cancelled) and leave.
let signals = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    signals++;
    if (signals === 1) log(`${signal}: taking no more runs; the run in flight finishes first (${signal} again cancels it)`);
    else log(`${signal} again: cancelling the run in flight`);
    void (signals === 1 ? host!.drain() : host!.close()).then(() => process.exit(0), () => process.exit(1));
  });
}
