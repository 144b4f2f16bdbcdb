// A local worker process (forked by pool.ts): the worker runtime speaking over the IPC channel.
// Loaded by entry.ts, which reports a failed start (missing native module, bad config) to the host.
import { WORKER_CONFIG_ENV, type HostToWorker, type WorkerConfig, type WorkerToHost } from './protocol';
import { createWorkerRuntime } from './worker-runtime';

function send(msg: WorkerToHost): void {
  process.send?.(msg);
}

const config = JSON.parse(process.env[WORKER_CONFIG_ENV] ?? 'null') as WorkerConfig | null;
if (!config || !process.send) {
  console.error(`worker: start me through the server (needs an IPC channel and ${WORKER_CONFIG_ENV})`);
  process.exit(2);
}

// A worker whose host is gone has nobody to report to.
process.on('disconnect', () => process.exit(0));

const worker = createWorkerRuntime(config, send);
process.on('message', (msg: HostToWorker) => worker.handle(msg));
void worker.closed.then(() => process.exit(0));

send({ type: 'ready', workerId: config.workerId, provider: worker.provider, pid: process.pid });
