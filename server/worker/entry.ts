// A worker process's entry (forked by pool.ts with the tsx loader and advanced serialization).
// Loading the engine can fail (a native module missing after a bad install): say so to the host, then exit.
import { WORKER_CONFIG_ENV, type WorkerToHost } from './protocol';

try {
  await import('./process-main');
} catch (e) {
  const workerId = JSON.parse(process.env[WORKER_CONFIG_ENV] ?? '{}').workerId ?? '?';
  const msg: WorkerToHost = { type: 'fatal', workerId, message: (e as Error).stack ?? String(e) };
  if (process.send) process.send(msg, () => process.exit(1));
  else {
    console.error(msg.message);
    process.exit(1);
  }
}
