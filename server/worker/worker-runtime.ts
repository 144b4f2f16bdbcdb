// The worker proper, whatever carries its messages (a forked child's IPC or a worker host's fork): one Executor and
// one ONNX runtime, answering the host protocol (protocol.ts). It runs one graph at a time, or the runs of one batch
// together (dynamic batching: their samplers share model calls through a BatchGroup).
import type { RunEvent } from '../../nodes/engine/events';
import { DebugSession, type Breakpoints } from '../../nodes/engine/debugger';
import { Executor } from '../../nodes/engine/executor';
import { InputStore } from '../../nodes/runtime/inputs';
import { ModelStore } from '../../nodes/runtime/models';
import { OnnxRuntime } from '../../nodes/runtime/onnx';
import { BatchGroup } from '../../nodes/sampling/batch';
import { createLogger, envLogLevel, logTo } from '../log';
import { startGpuMemoryProbe } from './gpu-memory';
import { inspectThumbnails } from './inspect-thumbnails';
import type { DebugCommand, HostToWorker, WorkerConfig, WorkerToHost } from './protocol';

interface ActiveRun {
  runId: string;
  abort: AbortController;
  listeners: number;
  debug: DebugSession;
  /** The run's own breakpoints; a 'pause' adds "every step" on top until the next resume. */
  breakpoints: Breakpoints;
}

export interface WorkerRuntime {
  readonly provider: string;
  /** A message from the host. `shutdown` resolves `closed`. */
  handle(msg: HostToWorker): void;
  /** The host is gone (a remote worker lost its connection): the running graph stops; nobody would hear of it. */
  abandon(reason: string): void;
  /** Resolves once a `shutdown` has released the ONNX sessions. */
  readonly closed: Promise<void>;
}

export function createWorkerRuntime(config: WorkerConfig, send: (msg: WorkerToHost) => void): WorkerRuntime {
  // JSON lines on the stdout it shares with its host, each naming this worker.
  const log = logTo(createLogger({ level: envLogLevel(process.env.LOG_LEVEL), name: 'worker', base: { workerId: config.workerId } }));
  const runtime = new OnnxRuntime({
    provider: config.provider,
    cudaDeviceId: config.cudaDeviceId,
    budgetBytes: config.modelBudgetBytes,
    spinWait: config.spinWait,
    onWarning: (m) => log(`onnx: ${m}`, { level: 'warn' }),
  });
  const executor = new Executor({
    runtime,
    models: new ModelStore(config.modelsDir),
    inputs: new InputStore(config.inputDirs),
    cacheBytes: config.cacheBytes,
    promptCacheBytes: config.promptCacheBytes,
    limits: { maxImagePixels: config.maxImagePixels },
  });
  // GPU memory of its device, only when it runs on CUDA (metrics' `gpu` series).
  const gpu = runtime.provider === 'cuda' ? startGpuMemoryProbe(config.cudaDeviceId ?? 0) : undefined;
  const active = new Map<string, ActiveRun>();
  let group: BatchGroup | undefined;
  let close!: () => void;
  const closed = new Promise<void>((resolve) => { close = resolve; });

  async function run(msg: Extract<HostToWorker, { type: 'run' }>): Promise<void> {
    const abort = new AbortController();
    const emit = (event: RunEvent) => send({ type: 'event', runId: msg.runId, event });
    const breakpoints = msg.debug ?? {};
    // Every run gets a session (cheap when idle), so any run can be paused from the editor.
    const debug = new DebugSession({
      runId: msg.runId, breakpoints: { ...breakpoints }, emit,
      pauseTimeoutMs: config.debugPauseTimeoutMs,
      onTimeout: (reason) => abort.abort(reason),
    });
    const current: ActiveRun = { runId: msg.runId, abort, listeners: msg.previewListeners, debug, breakpoints };
    active.set(msg.runId, current);
    if (msg.batch && !group?.has(msg.runId)) group = new BatchGroup(msg.batch);
    const batch = msg.batch ? group : msg.alone ? new BatchGroup([msg.runId], msg.alone) : undefined;
    const loadsBefore = runtime.stats().misses;
    try {
      const result = await executor.run(msg.graph, {
        runId: msg.runId,
        targets: msg.targets,
        signal: abort.signal,
        onEvent: emit,
        wantsPreview: () => current.listeners > 0,
        previewFps: config.previewFps,
        onSteps: (steps) => send({ type: 'step-latents', runId: msg.runId, batch: steps }),
        keepSteps: config.previewSteps === 'all',
        debug: current.debug,
        cacheScope: msg.ownerId ?? undefined,
        batch: batch?.member(msg.runId),
      });
      const { values, ...rest } = result;
      const inspect = result.status === 'succeeded' && msg.targets?.length
        ? await inspectThumbnails(msg.graph, msg.targets, values).catch((e: Error) => {
          log(`inspect thumbnails of run ${msg.runId} failed: ${e.message}`, { runId: msg.runId, level: 'warn' });
          return [];
        })
        : [];
      const modelLoads = runtime.stats().misses - loadsBefore;
      send({ type: 'done', runId: msg.runId, result: { ...rest, modelLoads, ...(inspect.length ? { inspect } : {}) } });
    } finally {
      active.delete(msg.runId);
      batch?.leave(msg.runId);
      if (active.size === 0) group = undefined;
    }
  }

  function control(r: ActiveRun, command: DebugCommand): void {
    if (command === 'pause') {
      r.debug.setBreakpoints({ ...r.breakpoints, everyStep: true });
    } else if (command === 'step') {
      r.debug.step();
    } else {
      r.debug.setBreakpoints({ ...r.breakpoints });
      r.debug.resume();
    }
  }

  function handle(msg: HostToWorker): void {
    switch (msg.type) {
      case 'run': {
        // The host dispatches one run, or one batch, per worker; answering keeps a host bug from losing the run.
        const others = [...active.keys()];
        if (others.length > 0 && !others.every((id) => msg.batch?.includes(id))) {
          send({
            type: 'done', runId: msg.runId,
            result: {
              runId: msg.runId, status: 'failed', totalMs: 0, ortMs: 0, nodes: [], artifacts: [],
              error: { code: 'worker_busy', message: `worker ${config.workerId} is already running ${others.join(', ')}` },
            },
          });
          return;
        }
        void run(msg);
        return;
      }
      case 'cancel':
        active.get(msg.runId)?.abort.abort(msg.reason);
        return;
      case 'preview-listeners': {
        const r = active.get(msg.runId);
        if (r) r.listeners = msg.count;
        return;
      }
      case 'debug': {
        const r = active.get(msg.runId);
        if (r) control(r, msg.command);
        return;
      }
      case 'breakpoints': {
        const r = active.get(msg.runId);
        if (r) {
          r.breakpoints = msg.breakpoints;
          r.debug.setBreakpoints({ ...msg.breakpoints });
        }
        return;
      }
      case 'ping':
        // Answered here, on the main thread: a pong proves the event loop turns (pool.ts heartbeat).
        send({
          type: 'pong', seq: msg.seq,
          memory: { rss: process.memoryUsage().rss, onnxSessions: runtime.stats().bytes, ...(gpu?.bytes() !== undefined ? { gpu: gpu.bytes() } : {}) },
          promptCache: executor.promptCache.totals(),
        });
        return;
      case 'shutdown':
        gpu?.stop();
        for (const r of active.values()) r.abort.abort('the server is shutting down');
        void runtime.dispose().finally(close);
        return;
    }
  }

  return {
    provider: runtime.provider,
    handle,
    abandon: (reason) => {
      for (const r of active.values()) r.abort.abort(reason);
    },
    closed,
  };
}
