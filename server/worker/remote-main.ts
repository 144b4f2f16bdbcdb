// `npm run worker -- --server http://host:3000 [--name gpu-1] [--skip-models]`: a worker on another machine.
// It runs graphs for that server exactly like a local worker, with its own models (MODELS_DIR, the built-in
// pack generated if missing), provider (EXECUTION_PROVIDER) and memory budgets; input images it lacks are
// fetched from the server before a run; WORKER_TOKEN must match the server's. It reconnects when the connection drops (a run in flight then fails on the server and stops here).
import os from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { EnvError, loadEnv } from '../env';
import { ensureModelPack } from '../model-pack';
import { projectRoot } from '../paths';
import type { HostToWorker, WorkerToHost } from './protocol';
import { REMOTE_WORKER_CHECK, REMOTE_WORKER_PATH } from './remote-host';
import { fetchMissingInputs, inputImagesOf } from './remote-inputs';
import { createWorkerRuntime } from './worker-runtime';
import { getCatalog } from '../../nodes/registry';

const log = (m: string) => console.log(`[worker] ${m}`);
const fail = (m: string): never => {
  console.error(`[worker] ${m}`);
  process.exit(1);
};

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const serverArg = argValue('--server') ?? process.env.STEPFLOW_SERVER;
if (!serverArg) fail('say which server to work for: npm run worker -- --server http://host:3000 (or STEPFLOW_SERVER)');
let server: URL;
try {
  server = new URL(serverArg!);
} catch {
  fail(`--server "${serverArg}" is not a URL like http://host:3000`);
}
const token = process.env.WORKER_TOKEN;
if (!token) fail('set WORKER_TOKEN to the server\'s WORKER_TOKEN (an environment variable, so it stays out of `ps`)');
const name = argValue('--name') ?? os.hostname();

let env;
try {
  env = loadEnv();
} catch (e) {
  if (e instanceof EnvError) fail(e.message);
  throw e;
}

/** Asks the server whether it takes this token, so a refusal is said in words and not retried for ever. */
async function preflight(): Promise<'ok' | 'unreachable'> {
  let res: Response;
  try {
    res = await fetch(new URL(REMOTE_WORKER_CHECK, server!), { headers: { Authorization: `Bearer ${token}` } });
  } catch {
    return 'unreachable';
  }
  if (res.status === 401) fail(`${server!.origin} refused this WORKER_TOKEN; use the one the server was started with`);
  if (res.status === 404) fail(`${server!.origin} does not accept remote workers; start it with WORKER_TOKEN set`);
  if (!res.ok) return 'unreachable';
  return 'ok';
}

if (!process.argv.includes('--skip-models')) await ensureModelPack(env!.MODELS_DIR, log);
while ((await preflight()) === 'unreachable') {
  log(`${server!.origin} is not reachable; trying again in 5 s`);
  await new Promise((r) => setTimeout(r, 5000));
}

const socket = io(server!.origin, {
  path: REMOTE_WORKER_PATH,
  transports: ['websocket'],
  extraHeaders: { Authorization: `Bearer ${token}` },
  auth: { name },
  reconnectionDelayMax: 10_000,
});
// A message for a connection that is gone would reach the next connection out of context: drop it instead.
const send = (msg: WorkerToHost) => { if (socket.connected) socket.emit('worker', msg); };
const inputDirs = [path.join(env!.DATA_DIR, 'inputs'), path.join(projectRoot, 'workflows', 'inputs')];
const catalog = new Map(getCatalog().map((c) => [c.type, c]));
const worker = createWorkerRuntime({
  workerId: name,
  modelsDir: env!.MODELS_DIR,
  inputDirs,
  provider: env!.EXECUTION_PROVIDER,
  cacheBytes: env!.CACHE_BYTES,
  modelBudgetBytes: env!.MODEL_BUDGET_BYTES,
  debugPauseTimeoutMs: env!.DEBUG_PAUSE_TIMEOUT,
  maxImagePixels: env!.MAX_IMAGE_PIXELS,
}, send);

socket.on('connect', () => {
  log(`working for ${server!.origin} as "${name}" (${worker.provider}, models in ${env!.MODELS_DIR})`);
  send({ type: 'ready', workerId: name, provider: worker.provider, pid: process.pid });
});
// In order: a run waits for its input images (uploads live on the server), and a cancel sent meanwhile follows it.
let inbox = Promise.resolve();
socket.on('host', (msg: HostToWorker) => {
  // Heartbeats skip the queue: a run waiting for its input images must not make this worker look hung.
  if (msg.type === 'ping') return worker.handle(msg);
  inbox = inbox.then(async () => {
    if (msg.type === 'run') {
      const fetched = await fetchMissingInputs(inputImagesOf(msg.graph, catalog), inputDirs, inputDirs[0], server!, log, token);
      if (fetched.length) log(`fetched ${fetched.length} input image(s) from the server`);
    }
    worker.handle(msg);
  });
});
socket.on('disconnect', (reason) => {
  worker.abandon('the worker lost its connection to the server');
  log(`disconnected from ${server!.origin} (${reason}); reconnecting`);
});
socket.on('connect_error', (e) => log(`cannot connect to ${server!.origin}: ${e.message}; retrying`));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}: leaving ${server!.origin}`);
    worker.abandon('the worker was stopped');
    socket.close();
    worker.handle({ type: 'shutdown' });
    void worker.closed.then(() => process.exit(0));
  });
}
