// The server's configuration: every environment variable, checked once at start-up by one zod schema.
import path from 'node:path';
import { z } from 'zod';
import { DATABASE_URL_HINT, databaseKind, sqliteFilePath, type DatabaseKind } from './database-url';
import { isLoopbackHost } from './http/listen-address';
import { projectRoot } from './paths';
import { DEFAULT_POOL, POOL_PATTERN, POOL_SHAPE } from './queue/pools';

const int = (name: string) =>
  z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be a whole number`);

const TRUST_PROXY_HINT = 'TRUST_PROXY must be off, on, or the number of proxies in front of the server (0 to 10)';

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int('PORT').min(0).max(65535).default(3000),
  // Network exposure (safe defaults): loopback unless HOST says otherwise; AUTH=none on a network needs consent.
  /** Address to listen on: 127.0.0.1 keeps StepFlow on this machine; 0.0.0.0 (or a LAN address) exposes it. */
  HOST: z.string().trim().min(1, 'HOST must be an address such as 127.0.0.1 or 0.0.0.0').default('127.0.0.1'),
  /** 1: serve AUTH=none on a non-loopback HOST anyway (a trusted network where everybody may do everything). */
  ALLOW_UNAUTHENTICATED: z.enum(['0', '1'], { error: 'ALLOW_UNAUTHENTICATED must be 0 or 1' }).default('0')
    .transform((v) => v === '1'),
  DATA_DIR: z.string().min(1).default(path.join(projectRoot, 'data')),
  /**
   * `file:<path>` (SQLite; a relative path is taken from the project root) or `postgresql://…` / `postgres://…`.
   * Defaults to DATA_DIR/stepflow.db.
   */
  DATABASE_URL: z.string().refine((url) => databaseKind(url) !== undefined, DATABASE_URL_HINT).optional(),
  MODELS_DIR: z.string().min(1).default(path.join(projectRoot, 'models')),
  /** Local workers (embedded: forked processes; scaled: worker hosts of this server). 0 with REDIS_URL: inference elsewhere. */
  WORKERS: int('WORKERS').min(0, 'WORKERS must be 0 or more').max(64).default(1),
  /** Shared secret worker hosts (`npm run worker`) present to the API; required in scaled mode (REDIS_URL). */
  WORKER_TOKEN: z.string().min(16, 'WORKER_TOKEN must be at least 16 characters (use a long random string)').max(256).optional(),
  // ---- scaled mode (server/cluster/): Redis for jobs, events and control ----
  /** redis://[:password@]host:port[/db]: runs go through BullMQ and Socket.io rooms span servers. Unset = embedded mode. */
  REDIS_URL: z.string().regex(/^rediss?:\/\/\S+$/, 'REDIS_URL must look like redis://host:6379 (or rediss:// for TLS)').optional(),
  /** Prefix of every Redis key and channel StepFlow uses, so several deployments can share one Redis. */
  REDIS_PREFIX: z.string().regex(POOL_PATTERN, `REDIS_PREFIX must be ${POOL_SHAPE}`).default('stepflow'),
  /**
   * A worker host whose Redis heartbeat key has been gone this long (ms) has its runs failed with `worker_lost`. The key
   * outlives the host by 5 s, so a killed host's run ends within about WORKER_LOST_MS + 5 s.
   */
  WORKER_LOST_MS: int('WORKER_LOST_MS').min(1000, 'WORKER_LOST_MS must be at least 1000 (ms)').default(10_000),
  /**
   * Model affinity: a worker takes, among the first AFFINITY_WINDOW queued runs of its pool, one whose models it has
   * warm before the head of the line; 0 = plain first-in-first-out.
   */
  AFFINITY_WINDOW: int('AFFINITY_WINDOW').min(0).max(1000).default(8),
  /** A run waiting at the head of its pool longer than this (ms) is taken next whatever any worker has warm. */
  AFFINITY_MAX_WAIT: int('AFFINITY_MAX_WAIT').min(0).default(60_000),
  /** The pool this server's own worker hosts (WORKERS with REDIS_URL) serve. */
  WORKER_POOL: z.string().regex(POOL_PATTERN, `WORKER_POOL must be ${POOL_SHAPE}`).default(DEFAULT_POOL),
  // ---- end of scaled mode ----
  /** Bearer token Prometheus presents to GET /metrics; unset: admins only (AUTH=local) or this machine only (AUTH=none). */
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters (use a long random string)').max(256).optional(),
  EXECUTION_PROVIDER: z.enum(['cpu', 'cuda'], { error: 'EXECUTION_PROVIDER must be "cpu" or "cuda"' }).default('cpu'),
  /**
   * 1: ONNX Runtime's CPU threads spin between operators instead of sleeping. Off by default: a worker shares its
   * cores with the web server (and other workers), and spinning threads took that CPU (bench/throughput.ts).
   */
  ORT_SPIN_WAIT: z.enum(['0', '1'], { error: 'ORT_SPIN_WAIT must be 0 or 1' }).default('0'),
  /** Dynamic batching: how long (ms) the first queued run waits for runs that can share its sampling loop. */
  BATCH_WINDOW_MS: int('BATCH_WINDOW_MS').min(0).max(10_000).default(20),
  /** Dynamic batching: most runs one worker takes at once (1 = off). Not MAX_BATCH_COUNT, the "Run ×N" cap. */
  MAX_BATCH: int('MAX_BATCH').min(1).max(64).default(16),
  PREVIEW_FPS: int('PREVIEW_FPS').min(10, 'PREVIEW_FPS must be at least 10').max(120).default(15),
  /** Worker node-output cache (LRU) in bytes. */
  CACHE_BYTES: int('CACHE_BYTES').min(0).default(1024 ** 3),
  /** Worker prompt-embedding cache (text-encoder outputs across runs and graphs, LRU) in bytes; 0 = off. */
  PROMPT_CACHE_BYTES: int('PROMPT_CACHE_BYTES').min(0).default(64 * 1024 ** 2),
  /** ONNX session memory budget per worker in bytes. */
  MODEL_BUDGET_BYTES: int('MODEL_BUDGET_BYTES').min(0).default(4 * 1024 ** 3),
  /** A paused debug run is cancelled after this long without a command (ms). */
  DEBUG_PAUSE_TIMEOUT: int('DEBUG_PAUSE_TIMEOUT').min(100).default(600_000),
  /** Step previews are kept on disk for this many most recent runs. */
  PREVIEW_RUNS_KEPT: int('PREVIEW_RUNS_KEPT').min(0).default(50),
  /**
   * Which runs keep their sampler steps for the timeline: watched = only while someone watches the run (live previews);
   * all = every run, so an unwatched batch can be scrubbed later (still within PREVIEW_RUNS_KEPT runs).
   */
  PREVIEW_STEPS: z.enum(['watched', 'all'], { error: 'PREVIEW_STEPS must be "watched" or "all"' }).default('watched'),
  /** none: one trusted user, no accounts (today's behaviour). local: accounts, sessions, per-workflow access. */
  AUTH: z.enum(['none', 'local'], { error: 'AUTH must be "none" or "local"' }).default('none'),
  /** With AUTH=local: open = anyone may create an account on /login; closed = only admins create accounts. */
  SIGNUP: z.enum(['open', 'closed'], { error: 'SIGNUP must be "open" or "closed"' }).default('open'),
  /** With AUTH=local: an admin account created on first start when no user has this name. */
  ADMIN_USERNAME: z.string().trim().min(1).max(64).optional(),
  ADMIN_PASSWORD: z.string().min(8, 'ADMIN_PASSWORD must be at least 8 characters').max(256).optional(),
  // --- Limits (issue 11): quotas, pixels, graph and body sizes. Each refusal names its variable and value. ---
  /** Runs one user may have waiting (status queued) at once; a batch counts every run in it. */
  MAX_QUEUED_RUNS_PER_USER: int('MAX_QUEUED_RUNS_PER_USER').min(1).default(200),
  /** The largest batch (runs.enqueue `count`, the HTTP API's ?count=). */
  MAX_BATCH_COUNT: int('MAX_BATCH_COUNT').min(1).max(10_000).default(100),
  /** Pixels (width x height x batch) any node may output or decode; 4096 x 4096 by default. */
  MAX_IMAGE_PIXELS: int('MAX_IMAGE_PIXELS').min(64 * 64, 'MAX_IMAGE_PIXELS must be at least 4096 (64 x 64)').max(2 ** 30).default(4096 * 4096),
  /** Graphs saved, imported or run (the engine itself takes larger ones, e.g. from the CLI). */
  MAX_GRAPH_NODES: int('MAX_GRAPH_NODES').min(1).max(100_000).default(2000),
  MAX_GRAPH_EDGES: int('MAX_GRAPH_EDGES').min(1).max(400_000).default(8000),
  /** A graph's `meta` (name, exposed inputs, editor state) as JSON, in bytes. */
  MAX_META_BYTES: int('MAX_META_BYTES').min(1024).default(256 * 1024),
  /** tRPC and HTTP API request bodies, in bytes (uploads and imports get room for a base64 file of up to 20 MB). */
  MAX_BODY_BYTES: int('MAX_BODY_BYTES').min(64 * 1024).default(5 * 1024 * 1024),
  // --- end of limits ---
  // ---- run-time limits, worker heartbeat and disk retention (issue 11, section 4b) ----
  /** A run running longer than this (ms; time paused in the debugger not counted) fails with code `timeout`; 0 = no limit. */
  RUN_TIMEOUT: int('RUN_TIMEOUT').min(0, 'RUN_TIMEOUT must be 0 (off) or more').default(30 * 60_000),
  /** A cancelled (or timed-out) run whose worker has not stopped after this long (ms) gets its worker killed. */
  CANCEL_GRACE_MS: int('CANCEL_GRACE_MS').min(100).default(15_000),
  /** Every worker is pinged this often (ms); 0 = no heartbeat. Workers answer between synchronous ONNX calls. */
  WORKER_HEARTBEAT_MS: int('WORKER_HEARTBEAT_MS').min(0).default(5000),
  /** A worker silent for this many heartbeat intervals is killed (local: restarted) and its run fails `worker_unresponsive`. */
  WORKER_HEARTBEAT_MISSES: int('WORKER_HEARTBEAT_MISSES').min(2, 'WORKER_HEARTBEAT_MISSES must be at least 2').default(6),
  /** Finished runs (with their node results and artifacts) older than this many days are deleted; 0 = keep all. */
  RETENTION_RUN_DAYS: int('RETENTION_RUN_DAYS').min(0).default(0),
  /** Artifact files of finished runs beyond this total (bytes) are deleted, oldest runs first; 0 = no cap. */
  RETENTION_OUTPUT_BYTES: int('RETENTION_OUTPUT_BYTES').min(0).default(0),
  /** Uploaded input images older than this many days that no saved workflow version uses are deleted; 0 = keep all. */
  RETENTION_UPLOAD_DAYS: int('RETENTION_UPLOAD_DAYS').min(0).default(0),
  /** How often the retention sweep runs after the one at start (ms). */
  RETENTION_SWEEP_MS: int('RETENTION_SWEEP_MS').min(1000).default(60 * 60_000),
  /** debug: also log the ids of what the retention sweep deletes. */
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug'], { error: 'LOG_LEVEL must be "error", "warn", "info" or "debug"' }).default('info'),
  // ---- end of section 4b ----
  // --- accounts: client address, session lifetime (AUTH=local) ---
  /**
   * How many reverse proxies of ours stand in front: off/0 (default) = the TCP peer is the client, X-Forwarded-For
   * is ignored; on = 1; N = the N-th X-Forwarded-For entry from the right (server/auth/client-ip.ts).
   */
  TRUST_PROXY: z.string().trim().toLowerCase()
    .regex(/^(off|on|false|true|\d{1,2})$/, TRUST_PROXY_HINT)
    .default('off')
    .transform((v) => ({ off: 0, false: 0, on: 1, true: 1 } as Record<string, number>)[v] ?? Number(v))
    .pipe(z.number().max(10, TRUST_PROXY_HINT)),
  /** A session unused this many days ends; each use in the second half of the term renews it (sliding). */
  SESSION_DAYS: int('SESSION_DAYS').min(1, 'SESSION_DAYS must be at least 1').max(3650).default(30),
  /** However much it is used, a session ends this many days after sign-in (absolute lifetime). */
  SESSION_MAX_DAYS: int('SESSION_MAX_DAYS').min(1, 'SESSION_MAX_DAYS must be at least 1').max(3650).default(90),
  /** How often expired sessions are deleted from the database (ms). */
  SESSION_PURGE_INTERVAL: int('SESSION_PURGE_INTERVAL').min(100, 'SESSION_PURGE_INTERVAL must be at least 100 (ms)').default(3_600_000),
  // --- end accounts ---
}).refine((e) => (e.ADMIN_USERNAME === undefined) === (e.ADMIN_PASSWORD === undefined), {
  message: 'set both ADMIN_USERNAME and ADMIN_PASSWORD, or neither', path: ['ADMIN_PASSWORD'],
}).refine((e) => e.AUTH === 'local' || e.ALLOW_UNAUTHENTICATED || isLoopbackHost(e.HOST), {
  message: 'with AUTH=none (no accounts) anyone who can reach this address could run graphs, read every output and '
    + 'delete workflows: set AUTH=local (with ADMIN_USERNAME and ADMIN_PASSWORD) to expose StepFlow, or '
    + 'ALLOW_UNAUTHENTICATED=1 if everybody on this network is trusted, or leave HOST unset (127.0.0.1)',
  path: ['HOST'],
  // NODE_ENV=test may hold runs in the queue with no worker at all (tests drive workers by hand, or none).
}).refine((e) => e.WORKERS > 0 || e.REDIS_URL !== undefined || e.NODE_ENV === 'test', {
  message: 'WORKERS=0 leaves nobody to run graphs: set REDIS_URL (scaled mode) and start workers with `npm run worker`, or WORKERS to 1 or more', path: ['WORKERS'],
}).refine((e) => e.REDIS_URL === undefined || e.WORKER_TOKEN !== undefined, {
  message: 'scaled mode (REDIS_URL) needs WORKER_TOKEN: worker hosts authenticate to the API with it', path: ['WORKER_TOKEN'],
});

export type EnvInput = z.input<typeof envSchema>;
export type Env = Omit<z.output<typeof envSchema>, 'DATABASE_URL'> & {
  DATABASE_URL: string;
  databaseKind: DatabaseKind;
  /** Absolute path of the SQLite file named by DATABASE_URL; undefined on PostgreSQL. */
  databasePath: string | undefined;
};

export class EnvError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid environment:\n  - ${issues.join('\n  - ')}\nFix these variables (or unset them to use the defaults) and start again.`);
    this.name = 'EnvError';
  }
}

/** A password is never echoed into an error message (which ends up in logs), nor one inside a database URL. */
const shown = (key: string, value: unknown) => {
  if ((key === 'ADMIN_PASSWORD' || key === 'WORKER_TOKEN' || key === 'REDIS_URL' || key === 'METRICS_TOKEN') && value !== undefined) return '(hidden)';
  // An unrecognised URL may still carry user:password@: keep only its scheme.
  if (key === 'DATABASE_URL' && typeof value === 'string') return JSON.stringify(/^[a-z][a-z0-9+.-]*:/i.exec(value)?.[0] ?? '(hidden)');
  return JSON.stringify(value);
};

/** Parses variables (process.env by default); empty strings count as unset. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const known = Object.keys(envSchema.shape);
  const input = Object.fromEntries(known.map((k) => [k, source[k] === '' ? undefined : source[k]]));
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    throw new EnvError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message} (got ${shown(String(i.path[0]), input[String(i.path[0])])})`));
  }
  const e = parsed.data;
  const dataDir = path.resolve(projectRoot, e.DATA_DIR);
  const url = e.DATABASE_URL ?? `file:${path.join(dataDir, 'stepflow.db')}`;
  const kind = databaseKind(url)!;
  return {
    ...e,
    DATA_DIR: dataDir,
    MODELS_DIR: path.resolve(projectRoot, e.MODELS_DIR),
    DATABASE_URL: url,
    databaseKind: kind,
    databasePath: kind === 'sqlite' ? sqliteFilePath(url) : undefined,
  };
}
