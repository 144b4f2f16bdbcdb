// A scaled-mode worker host (`npm run worker`): takes run jobs from its pool's BullMQ queue, one at a time, claims
// each through the worker API, and runs it on a forked worker process (the same child and protocol as embedded
// mode's local workers, so a crash or a hang of the graph kills only the child). A RunSupervisor watches the run as
// the embedded queue does; its events go to the browsers through Redis (Socket.io emitter), its records to the
// API. The host keeps a heartbeat key in Redis; web servers fail the runs of a host whose key expires.
import type { Log } from '../log';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Emitter } from '@socket.io/redis-emitter';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CatalogNode } from '../../nodes/engine/catalog';
import type { RunEvent } from '../../nodes/engine/events';
import type { Graph } from '../../nodes/engine/graph';
import type { ActiveRun } from '../queue/active-runs';
import { RunSupervisor } from '../queue/run-supervisor';
import type { DebugRequest, WorkerConfig } from '../worker/protocol';
import { WorkerPool, type WorkerHandle } from '../worker/pool';
import { inputImagesOf } from './input-images';
import { WorkerApiClient } from './api-client';
import { ApiRecords } from './api-records';
import { subscribeControl, type ControlMessage } from './control';
import { clusterNames, openRedis, redisReady } from './redis';
import type { RunJobData } from './remote-dispatch';

export interface WorkerHostOptions {
  redisUrl: string;
  prefix: string;
  token: string;
  /** The API: one or several web servers (or a load balancer in front of them). */
  servers: URL[];
  pool: string;
  name: string;
  runtime: Omit<WorkerConfig, 'workerId'>;
  catalog: ReadonlyMap<string, CatalogNode>;
  /** How often the heartbeat key is refreshed (default 1 s); it expires after 5 of these. */
  heartbeatMs?: number;
  log: Log;
}

export interface WorkerHost {
  id: string;
  /** Stops taking jobs, lets a run in flight finish (a rolling update loses no work), then closes. */
  drain(): Promise<void>;
  /** Stops taking jobs; a run in flight is cancelled and recorded as such; then everything closes. */
  close(): Promise<void>;
}

/** Binary payloads must be Buffers for the emitter's msgpack encoding to keep them binary. */
function asWire(payload: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) out[k] = v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v;
  return out;
}

export async function startWorkerHost(o: WorkerHostOptions): Promise<WorkerHost> {
  const { log } = o;
  const names = clusterNames(o.prefix);
  const api = new WorkerApiClient(o.servers, o.token, log);
  const settings = await api.check();
  const id = `${o.name}-${crypto.randomBytes(3).toString('hex')}`;
  const redis: Redis = openRedis(o.redisUrl, `worker ${id}`, log);
  const sub: Redis = openRedis(o.redisUrl, `worker ${id} control`, log);
  await redisReady(redis, o.redisUrl);
  const emitter = new Emitter(redis, { key: names.socketKey });
  const endings = new Map<string, () => void>();
  /** The model key of the last run: its weights are still loaded, so runs with the same key are cheapest here. */
  let warm: string | null = null;
  /** ONNX sessions loaded since start (from each run's result): what affinity saves, advertised and benchmarked. */
  let modelLoads = 0;
  const startedAt = new Date().toISOString();

  const emit = (run: ActiveRun, event: RunEvent) => {
    const { type, ...payload } = event;
    let to = emitter.to(`run:${event.runId}`);
    if (run.workflowRoom) to = to.to(`workflow:${run.workflowRoom}`);
    to.emit(type, asWire(payload));
    // The pause state for browsers that join later (queue.snapshot); kept no longer than a pause may last.
    if (type === 'run:paused') void redis.set(names.paused(event.runId), '1', 'PX', o.runtime.debugPauseTimeoutMs + 60_000).catch(() => undefined);
    else if (type === 'run:resumed' || type === 'run:finished' || type === 'run:failed' || type === 'run:cancelled') void redis.del(names.paused(event.runId)).catch(() => undefined);
  };

  const records = new ApiRecords(api, id);
  // The two refer to each other through closures that run only once both exist.
  const supervisor: RunSupervisor = new RunSupervisor({
    records,
    previewFps: settings.previewFps,
    previewRunsKept: settings.previewRunsKept,
    cancelGraceMs: settings.cancelGraceMs,
    runTimeoutMs: settings.runTimeoutMs,
    emit,
    send: (w, msg) => pool.send(w, msg),
    kill: (w) => pool.kill(w),
    ended: (run, { releaseWorker }) => {
      if (releaseWorker) pool.release(run.worker, run.runId);
      endings.get(run.runId)?.();
    },
    log,
  });

  const pool = new WorkerPool({
    count: 1,
    idOf: () => id,
    log,
    // The server's PREVIEW_FPS: the worker paces live frames as the server's throttle expects them.
    config: { ...o.runtime, previewFps: settings.previewFps, previewSteps: settings.previewSteps ?? 'watched' },
    handlers: {
      onReady: (w) => log(`worker process ready (pid ${w.pid}, ${w.provider})`),
      onMessage: (w, m) => {
        if (m.type === 'done') modelLoads += m.result.modelLoads ?? 0;
        supervisor.onWorkerMessage(w, m);
      },
      onExit: (w, e) => supervisor.onWorkerExit(w, e),
      onProtocolError: (w, problem, runIds) => supervisor.onWorkerProtocolError(w, problem, runIds),
    },
    heartbeat: { intervalMs: 5000, misses: 6 },
  });
  await subscribeControl(sub, names.control, (m: ControlMessage) => {
    if (!supervisor.get(m.runId)) return;
    const msg = m.msg;
    if (msg.type === 'cancel') supervisor.cancel(m.runId, msg.reason);
    else if (msg.type === 'debug') supervisor.debug(m.runId, msg.command);
    else if (msg.type === 'breakpoints') supervisor.setBreakpoints(m.runId, msg.breakpoints);
    else supervisor.setListeners(m.runId, msg.count);
  }, log);

  const heartbeatMs = o.heartbeatMs ?? 1000;
  const beat = async () => {
    const w = pool.list()[0];
    const record = {
      id, name: o.name, pool: o.pool, provider: w?.provider ?? o.runtime.provider, device: o.runtime.cudaDeviceId ?? null,
      freeMemoryBytes: os.freemem(), runId: w?.state === 'busy' ? w.runIds[0] ?? null : null, state: w?.state ?? 'starting', startedAt,
      warm: warm ? [warm] : [], modelLoads, memory: w?.memory ?? null, promptCache: w?.promptCache ?? null,
    };
    await redis.set(names.worker(id), JSON.stringify(record), 'PX', heartbeatMs * 5);
  };
  const beatTimer = setInterval(() => void beat().catch(() => undefined), heartbeatMs);
  await beat();
  pool.start();

  const idleWorker = async (): Promise<WorkerHandle> => {
    const until = Date.now() + 120_000;
    for (;;) {
      const w = pool.idle();
      if (w) return w;
      // A worker process that cannot start gives the job back (it stays queued in the database; reconcile re-adds it).
      if (Date.now() > until) throw new Error(`worker process of ${id} not ready after 120 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const fetchInputs = async (graph: Graph) => {
    const dir = o.runtime.inputDirs[0];
    for (const name of inputImagesOf(graph, o.catalog)) {
      if (o.runtime.inputDirs.some((d) => fs.existsSync(path.join(d, name)))) continue;
      const bytes = await api.input(name);
      if (!bytes) continue; // the node names the missing file when it runs
      const file = path.join(dir, name);
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      await fs.promises.writeFile(`${file}.${process.pid}.tmp`, bytes);
      await fs.promises.rename(`${file}.${process.pid}.tmp`, file);
    }
  };

  const runJob = async (job: Job<RunJobData>) => {
    // Wait for a ready worker process before claiming, so a claimed run starts at once.
    await idleWorker();
    const claim = await api.claim(job.data.runId, { workerId: id, pool: o.pool, warm: warm ? [warm] : [] });
    if (!claim) return { skipped: true };
    // The job's own run, or one with this worker's models warm; with batch-mates that share its sampling loop.
    const runs = [claim, ...(claim.mates ?? [])];
    for (const r of runs) {
      try {
        await fetchInputs(r.graph as Graph);
      } catch (e) {
        log(`run ${r.runId}: fetching input images failed: ${(e as Error).message}`, { runId: r.runId, workerId: id, level: 'warn' });
      }
    }
    let w: WorkerHandle;
    try {
      // Normally at once; longer only if the process died in between and is being restarted.
      w = await idleWorker();
    } catch (e) {
      for (const r of runs) await records.fail(r.runId, { status: 'failed', code: 'worker_unavailable', message: `worker ${id}: ${(e as Error).message}` });
      return { failed: true };
    }
    const ended = runs.map((r) => new Promise<void>((resolve) => endings.set(r.runId, resolve)));
    const batch = runs.length > 1 ? runs.map((r) => r.runId) : undefined;
    pool.assign(w, runs.map((r) => {
      supervisor.start({ runId: r.runId, workflowId: r.workflowId, workflowRoom: r.workflowRoom, worker: w, listeners: r.previewListeners, userId: r.ownerId });
      return {
        type: 'run' as const, runId: r.runId, ownerId: r.ownerId, graph: r.graph as Graph, targets: r.targets,
        debug: r.debug as DebugRequest | undefined, previewListeners: r.previewListeners, ...(batch ? { batch } : {}),
      };
    }));
    await Promise.all(ended);
    for (const r of runs) endings.delete(r.runId);
    if (claim.modelKey) warm = claim.modelKey;
    return { ran: runs.length };
  };

  const worker = new Worker<RunJobData>(names.queue(o.pool), runJob, {
    connection: redis,
    prefix: names.bullPrefix,
    concurrency: 1,
    // The lock is renewed while the run goes on; a host that dies lets the job go back after this long, and the
    // claim refuses it to anyone else (the database has it running on the dead host until the sweep fails it).
    lockDuration: 30_000,
  });
  worker.on('error', (e) => log(`queue: ${e.message}`));
  log(`worker ${id} takes runs of pool "${o.pool}" (API ${o.servers.map((s) => s.origin).join(', ')})`);

  let closing: Promise<void> | undefined;
  // BullMQ's close waits for the job in hand, whose promise is the run's end: no new job is taken meanwhile.
  let stopping: Promise<void> | undefined;
  const stopTaking = () => (stopping ??= worker.close());
  const finish = () => (closing ??= (async () => {
    await stopTaking();
    clearInterval(beatTimer);
    supervisor.beginStop();
    await pool.stop();
    await redis.del(names.worker(id)).catch(() => undefined);
    sub.disconnect();
    redis.disconnect();
  })());
  return {
    id,
    drain: () => {
      const held = supervisor.all().map((r) => r.runId);
      if (held.length) log(`draining: finishing run ${held.join(', ')}, then leaving`);
      void stopTaking();
      return finish();
    },
    close: () => {
      void stopTaking();
      for (const run of supervisor.all()) supervisor.cancel(run.runId, 'the worker was stopped');
      return finish();
    },
  };
}
