// The worker proper: owns one Executor and one ONNX runtime, runs one graph at a time for the host.
// Loaded by entry.ts, which reports a failed start (missing native module, bad config) to the host.
import type { RunEvent } from '../../nodes/engine/events';
import { DebugSession, type Breakpoints } from '../../nodes/engine/debugger';
import { Executor } from '../../nodes/engine/executor';
import { InputStore } from '../../nodes/runtime/inputs';
import { ModelStore } from '../../nodes/runtime/models';
import { OnnxRuntime } from '../../nodes/runtime/onnx';
import { inspectThumbnails } from './inspect-thumbnails';
import { WORKER_CONFIG_ENV, type DebugCommand, type HostToWorker, type WorkerConfig, type WorkerToHost } from './protocol';

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

const runtime = new OnnxRuntime({
  provider: config.provider,
  budgetBytes: config.modelBudgetBytes,
  onWarning: (m) => console.warn(`[worker ${config.workerId}] onnx: ${m}`),
});
const executor = new Executor({
  runtime,
  models: new ModelStore(config.modelsDir),
  inputs: new InputStore(config.inputDirs),
  cacheBytes: config.cacheBytes,
});

interface ActiveRun {
  runId: string;
  abort: AbortController;
  listeners: number;
  debug: DebugSession;
  /** The run's own breakpoints; a 'pause' adds "every step" on top until the next resume. */
  breakpoints: Breakpoints;
}
let active: ActiveRun | undefined;

async function run(msg: Extract<HostToWorker, { type: 'run' }>): Promise<void> {
  const abort = new AbortController();
  const emit = (event: RunEvent) => send({ type: 'event', runId: msg.runId, event });
  const breakpoints = msg.debug ?? {};
  // Every run gets a session (cheap when idle), so any run can be paused from the editor.
  const debug = new DebugSession({
    runId: msg.runId, breakpoints: { ...breakpoints }, emit,
    pauseTimeoutMs: config!.debugPauseTimeoutMs,
    onTimeout: (reason) => abort.abort(reason),
  });
  const current: ActiveRun = { runId: msg.runId, abort, listeners: msg.previewListeners, debug, breakpoints };
  active = current;
  try {
    const result = await executor.run(msg.graph, {
      runId: msg.runId,
      targets: msg.targets,
      signal: abort.signal,
      onEvent: emit,
      wantsPreview: () => current.listeners > 0,
      debug: current.debug,
    });
    const { values, ...rest } = result;
    const inspect = result.status === 'succeeded' && msg.targets?.length
      ? await inspectThumbnails(msg.graph, msg.targets, values).catch((e: Error) => {
        console.warn(`[worker ${config!.workerId}] inspect thumbnails of run ${msg.runId} failed: ${e.message}`);
        return [];
      })
      : [];
    send({ type: 'done', runId: msg.runId, result: inspect.length ? { ...rest, inspect } : rest });
  } finally {
    active = undefined;
  }
}

function control(run: ActiveRun, command: DebugCommand): void {
  if (command === 'pause') {
    run.debug.setBreakpoints({ ...run.breakpoints, everyStep: true });
  } else if (command === 'step') {
    run.debug.step();
  } else {
    run.debug.setBreakpoints({ ...run.breakpoints });
    run.debug.resume();
  }
}

process.on('message', (msg: HostToWorker) => {
  switch (msg.type) {
    case 'run':
      if (active) {
        // The host dispatches one run per worker; answering keeps a host bug from losing the run.
        send({
          type: 'done', runId: msg.runId,
          result: {
            runId: msg.runId, status: 'failed', totalMs: 0, ortMs: 0, nodes: [], artifacts: [],
            error: { code: 'worker_busy', message: `worker ${config!.workerId} is already running ${active.runId}` },
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
    case 'shutdown':
      active?.abort.abort('the server is shutting down');
      void runtime.dispose().finally(() => process.exit(0));
      return;
  }
});

send({ type: 'ready', workerId: config.workerId, provider: runtime.provider, pid: process.pid });
