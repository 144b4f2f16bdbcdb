// A local worker process (forked by pool.ts): the worker runtime speaking over the IPC channel.
// Loaded by entry.ts, which reports a failed start (missing native module, bad config) to the host.
import { onNativeCall } from '../../nodes/runtime/native-calls';
import { MessageBundler } from './bundler';
import { WORKER_CONFIG_ENV, type HostToWorker, type WorkerBundle, type WorkerConfig, type WorkerToHost } from './protocol';
import { createWorkerRuntime } from './worker-runtime';

/**
 * Run events and step latents wait for the end of the tick; the rest (a run's end, pongs) goes at once. A node's
 * start must reach the host before a crash in that node can, so the crash report names it: what is held back goes
 * out before every native call (ONNX Runtime, sharp), where a crash would come from. Sending each node:started at
 * once cost a batch of 16 runs ~130 IPC writes.
 */
const urgent = (msg: WorkerToHost) => msg.type !== 'event' && msg.type !== 'step-latents';

const bundler = new MessageBundler<WorkerToHost>((messages) => {
  const bundle: WorkerToHost | WorkerBundle = messages.length === 1 ? messages[0] : { type: 'bundle', messages };
  if (process.connected) process.send?.(bundle);
}, urgent);

function send(msg: WorkerToHost): void {
  bundler.send(msg);
}
onNativeCall(() => bundler.flush());

const config = JSON.parse(process.env[WORKER_CONFIG_ENV] ?? 'null') as WorkerConfig | null;
if (!config || !process.send) {
  console.error(`worker: start me through the server (needs an IPC channel and ${WORKER_CONFIG_ENV})`);
  process.exit(2);
}

// A worker whose host is gone has nobody to report to.
process.on('disconnect', () => process.exit(0));

const worker = createWorkerRuntime(config, send);
process.on('message', (msg: HostToWorker) => worker.handle(msg));
void worker.closed.then(() => {
  bundler.flush();
  process.exit(0);
});

send({ type: 'ready', workerId: config.workerId, provider: worker.provider, pid: process.pid });
