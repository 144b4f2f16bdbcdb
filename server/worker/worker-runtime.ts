// The worker proper, whatever carries its messages (a forked child's IPC or a remote worker's socket): one
// Executor and one ONNX runtime, one graph at a time, answering the host protocol (protocol.ts).
import type { RunEvent } from '../../nodes/engine/events';
import { DebugSession, type Breakpoints } from '../../nodes/engine/debugger';
import { Executor } from '../../nodes/engine/executor';
import { InputStore } from '../../nodes/runtime/inputs';
import { ModelStore } from '../../nodes/runtime/models';
import { OnnxRuntime } from '../../nodes/runtime/onnx';
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
  const runtime = new OnnxRuntime({
    provider: config.provider,
    cudaDeviceId: config.cudaDeviceId,
    budgetBytes: config.modelBudgetBytes,
    onWarning: (m) => console.warn(`[worker ${config.workerId}] onnx: ${m}`),
  });
  const executor = new Executor({
    runtime,
    models: new ModelStore(config.modelsDir),
    inputs: new InputStore(config.inputDirs),
    cacheBytes: config.cacheBytes,
    limits: { maxImagePixels: config.maxImagePixels },
  });
  let active: ActiveRun | undefined;
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
    active = current;
    const loadsBefore = runtime.stats().misses;
    try {
      const result = await executor.run(msg.graph, {
        runId: msg.runId,
        targets: msg.targets,
        signal: abort.signal,
        onEvent: emit,
        wantsPreview: () => current.listeners > 0,
        previewFps: config.previewFps,
        onSteps: (batch) => send({ type: 'step-latents', runId: msg.runId, batch }),
        debug: current.debug,
        cacheScope: msg.ownerId ?? undefined,
      });
      const { values, ...rest } = result;
      const inspect = result.status === 'succeeded' && msg.targets?.length
        ? await inspectThumbnails(msg.graph, msg.targets, values).catch((e: Error) => {
          console.warn(`[worker ${config.workerId}] inspect thumbnails of run ${msg.runId} failed: ${e.message}`);
          return [];
        })
        : [];
      const modelLoads = runtime.stats().misses - loadsBefore;
      send({ type: 'done', runId: msg.runId, result: { ...rest, modelLoads, ...(inspect.length ? { inspect } : {}) } });
    } finally {
      active = undefined;
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
      case 'run':
        if (active) {
          // The host dispatches one run per worker; answering keeps a host bug from losing the run.
          send({
            type: 'done', runId: msg.runId,
            result: {
              runId: msg.runId, status: 'failed', totalMs: 0, ortMs: 0, nodes: [], artifacts: [],
              error: { code: 'worker_busy', message: `worker ${config.workerId} is already running ${active.runId}` },
            },
          });
          return;
        }
        void run(msg);
        return;
      case 'cancel':
        if (active?.runId === msg.runId) active.abort.abort(msg.reason);
        return;
      case 'preview-listeners':
        if (active?.runId === msg.runId) active.listeners = msg.count;
        return;
      case 'debug':
        if (active?.runId === msg.runId) control(active, msg.command);
        return;
      case 'breakpoints':
        if (active?.runId === msg.runId) {
          active.breakpoints = msg.breakpoints;
          active.debug.setBreakpoints({ ...msg.breakpoints });
        }
        return;
      case 'ping':
        // Answered here, on the main thread: a pong proves the event loop turns (pool.ts heartbeat).
        send({ type: 'pong', seq: msg.seq, memory: { rss: process.memoryUsage().rss, onnxSessions: runtime.stats().bytes } });
        return;
      case 'shutdown':
        active?.abort.abort('the server is shutting down');
        void runtime.dispose().finally(close);
        return;
    }
  }

  return {
    provider: runtime.provider,
    handle,
    abandon: (reason) => active?.abort.abort(reason),
    closed,
  };
}
