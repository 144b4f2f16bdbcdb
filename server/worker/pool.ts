// Host side of the workers: forks WORKERS child processes (restarting the dead), takes external workers whose
// process it does not own (tests' hand-driven workers), and tracks which are idle or busy. Every message a worker
// sends is checked (protocol-schema.ts) and must concern the run it holds; ready workers are pinged, and one that
// stops answering is killed (local: restarted) like a crashed one.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../paths';
import type { PromptCacheTotals } from '../../nodes/engine/prompt-cache';
import { MAX_BUNDLE, WORKER_CONFIG_ENV, type HostToWorker, type WorkerBundle, type WorkerConfig, type WorkerMemory, type WorkerToHost } from './protocol';
import { messageRunId, parseWorkerMessage } from './protocol-schema';
import { workerEnv, workerMallocTunables } from './worker-env';

const ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'entry.ts');

export type WorkerState = 'starting' | 'idle' | 'busy' | 'stopped';

/** How the host talks to one worker: a forked child's IPC channel, or an external worker's own channel. */
export interface WorkerTransport {
  send(msg: HostToWorker): void;
  /** Ends the worker (local: SIGKILL, restarted; external: cut off, it is not restarted). */
  kill(): void;
}

export interface WorkerHandle {
  readonly id: string;
  transport: WorkerTransport;
  /** Local workers only. */
  child?: ChildProcess;
  /** External workers only (not forked by this pool): the name it gave and where it is. */
  external?: { name: string; address: string };
  state: WorkerState;
  /** The runs it holds: one, or a batch (dynamic batching); busy while any is left. */
  runIds: string[];
  provider?: string;
  pid?: number;
  /** Consecutive exits before the worker became ready (drives the restart back-off). */
  failedStarts: number;
  /** When the worker last said anything (performance.now()); the heartbeat judges it by this. */
  lastHeardAt?: number;
  /** What it said of its memory at its last heartbeat (metrics). */
  memory?: WorkerMemory;
  /** Its prompt cache's totals at its last heartbeat (/api/health). */
  promptCache?: PromptCacheTotals;
  /** Set when the heartbeat gave up on it: why, for the exit report. */
  unresponsive?: string;
}

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The runs it was executing (several when it had a batch). */
  runIds: string[];
  /** Instead of "exited with …" (an external worker that was cut off). */
  reason?: string;
  /** The pool ended it because it stopped answering heartbeats (e.g. "no answer for 6 × 5000 ms"). */
  unresponsive?: string;
}

export interface WorkerPoolHandlers {
  onReady(w: WorkerHandle): void;
  onMessage(w: WorkerHandle, msg: WorkerToHost): void;
  onExit(w: WorkerHandle, exit: WorkerExit): void;
  /**
   * The worker sent a message that breaks the protocol (`problem` says how). Its runs should fail; the pool
   * kills the worker right after this returns (it is in an unknown state), and the exit that follows is reported too.
   */
  onProtocolError(w: WorkerHandle, problem: string, runIds: string[]): void;
}

export interface HeartbeatOptions {
  /** Ping every ready worker this often (ms); 0 = no heartbeat. */
  intervalMs: number;
  /** A worker silent for this many intervals is declared unresponsive. */
  misses: number;
}

export interface WorkerPoolOptions {
  count: number;
  /** Worker ids ("1", "2", … by default); a scaled worker host names its one worker after itself. */
  idOf?: (index: number) => string;
  config: Omit<WorkerConfig, 'workerId'>;
  handlers: WorkerPoolHandlers;
  heartbeat?: HeartbeatOptions;
  log?: (message: string) => void;
}

export class WorkerPool {
  private readonly workers: WorkerHandle[] = [];
  private stopping = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private heartbeatTimer?: NodeJS.Timeout;
  private pingSeq = 0;

  constructor(private readonly opts: WorkerPoolOptions) {}

  start(): void {
    for (let i = 1; i <= this.opts.count; i++) {
      const w = { id: this.opts.idOf?.(i) ?? String(i), state: 'starting', failedStarts: 0, runIds: [] } as unknown as WorkerHandle;
      this.workers.push(w);
      this.spawn(w);
    }
    const hb = this.opts.heartbeat;
    if (hb && hb.intervalMs > 0) {
      this.heartbeatTimer = setInterval(() => this.heartbeat(hb), hb.intervalMs);
      this.heartbeatTimer.unref();
    }
  }

  list(): readonly WorkerHandle[] {
    return this.workers;
  }

  idle(): WorkerHandle | undefined {
    return this.workers.find((w) => w.state === 'idle');
  }

  byRun(runId: string): WorkerHandle | undefined {
    return this.workers.find((w) => w.state === 'busy' && w.runIds.includes(runId));
  }

  /** Hands a worker one run, or a batch of runs that it runs together. */
  assign(w: WorkerHandle, msgs: Extract<HostToWorker, { type: 'run' }>[]): void {
    w.state = 'busy';
    w.runIds = msgs.map((m) => m.runId);
    for (const m of msgs) this.send(w, m);
  }

  /** A run's `done` has been handled: the worker is idle once it holds no other run. */
  release(w: WorkerHandle, runId: string): void {
    if (w.state !== 'busy') return;
    w.runIds = w.runIds.filter((id) => id !== runId);
    if (w.runIds.length === 0) w.state = 'idle';
  }

  send(w: WorkerHandle, msg: HostToWorker): void {
    w.transport.send(msg);
  }

  /** Ends a worker at once (a cancel it ignored); it is restarted like a crashed one. */
  kill(w: WorkerHandle): void {
    w.transport.kill();
  }

  /** An external worker joined (it says `ready` through `externalMessage` when it can take runs). */
  attachExternal(id: string, external: WorkerHandle['external'], transport: WorkerTransport): WorkerHandle {
    const w: WorkerHandle = { id, transport, external, state: 'starting', failedStarts: 0, runIds: [] };
    this.workers.push(w);
    this.opts.log?.(`external worker ${id} (${external!.name}) attached from ${external!.address}`);
    return w;
  }

  /** A message from an external worker: the same protocol a local worker speaks over IPC (unchecked until here). */
  externalMessage(w: WorkerHandle, msg: unknown): void {
    this.onWorkerMessage(w, msg);
  }

  /** An external worker went away: its run (if any) fails like a crashed local worker's; it is not restarted. */
  detachExternal(w: WorkerHandle, reason: string): void {
    const i = this.workers.indexOf(w);
    if (i < 0) return;
    this.workers.splice(i, 1);
    const runIds = w.state === 'busy' ? w.runIds : [];
    const wasStopped = w.state === 'stopped';
    w.state = 'stopped';
    w.runIds = [];
    this.opts.log?.(`external worker ${w.id} (${w.external?.name}) left: ${reason}`);
    if (!this.stopping && !wasStopped) this.opts.handlers.onExit(w, { code: null, signal: null, runIds, reason, unresponsive: w.unresponsive });
  }

  async stop(graceMs = 3000): Promise<void> {
    this.stopping = true;
    clearInterval(this.heartbeatTimer);
    for (const t of this.timers) clearTimeout(t);
    await Promise.all(this.workers.map((w) => this.stopOne(w, graceMs)));
  }

  private async stopOne(w: WorkerHandle, graceMs: number): Promise<void> {
    const child = w.child;
    w.state = 'stopped';
    // External workers are not ours to stop.
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.send(w, { type: 'shutdown' });
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  private onWorkerMessage(w: WorkerHandle, raw: unknown): void {
    // A forked worker's bundle (worker/bundler.ts): its messages in order, each checked as if it came alone; the
    // rest of a bundle is dropped once one message ends the worker.
    const bundle = raw as Partial<WorkerBundle> | null;
    if (bundle?.type !== 'bundle') {
      this.onOneMessage(w, raw);
      return;
    }
    if (!Array.isArray(bundle.messages) || bundle.messages.length > MAX_BUNDLE) {
      this.protocolError(w, `malformed bundle (at most ${MAX_BUNDLE} messages in an array)`);
      return;
    }
    for (const msg of bundle.messages) {
      const inner = (msg as { type?: unknown } | null)?.type === 'bundle' ? 'a bundle inside a bundle' : undefined;
      if (inner) this.protocolError(w, inner);
      else if (this.onOneMessage(w, msg)) continue;
      return;
    }
  }

  /** False when the message was malformed (the worker is being ended). */
  private onOneMessage(w: WorkerHandle, raw: unknown): boolean {
    if (w.state === 'stopped') return true;
    const parsed = parseWorkerMessage(raw);
    if (!parsed.ok) {
      this.protocolError(w, parsed.problem);
      return false;
    }
    const msg = parsed.msg;
    w.lastHeardAt = performance.now();
    if (msg.type === 'pong') {
      if (msg.memory) w.memory = msg.memory;
      if (msg.promptCache) w.promptCache = msg.promptCache;
      return true;
    }
    const runId = messageRunId(msg);
    if (runId !== undefined && (w.state !== 'busy' || !w.runIds.includes(runId))) {
      // A worker speaks only for the runs it holds: anything else would write into, or announce to, another run.
      this.opts.log?.(`worker ${w.id} sent a "${msg.type}" message for run ${runId} but holds ${w.runIds.join(', ') || 'no run'}; dropped`);
      return true;
    }
    if (msg.type === 'ready') {
      w.state = 'idle';
      w.provider = msg.provider;
      w.pid = msg.pid;
      w.failedStarts = 0;
      this.opts.handlers.onReady(w);
      return true;
    }
    this.opts.handlers.onMessage(w, msg);
    return true;
  }

  private protocolError(w: WorkerHandle, problem: string): void {
    if (w.state === 'stopped') return;
    this.opts.log?.(`worker ${w.id}: ${problem}; ending the worker`);
    this.opts.handlers.onProtocolError(w, problem, w.state === 'busy' ? [...w.runIds] : []);
    this.kill(w);
  }

  private spawn(w: WorkerHandle): void {
    const config: WorkerConfig = { ...this.opts.config, workerId: w.id };
    const child = fork(ENTRY, [], {
      cwd: projectRoot,
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // Only an allowlist of the server's environment: its secrets (ADMIN_PASSWORD, WORKER_TOKEN, DATABASE_URL) stay here.
      env: {
        ...workerEnv(process.env),
        // Named for the typings (Next's declare it always set); an unset one is left out by fork.
        NODE_ENV: process.env.NODE_ENV,
        MODELS_DIR: config.modelsDir,
        [WORKER_CONFIG_ENV]: JSON.stringify(config),
        GLIBC_TUNABLES: workerMallocTunables(process.env),
      },
    });
    w.child = child;
    w.transport = {
      send: (msg) => { if (child.connected) child.send(msg); },
      kill: () => { child.kill('SIGKILL'); },
    };
    w.state = 'starting';
    w.pid = child.pid;
    w.unresponsive = undefined;
    child.on('message', (msg: unknown) => this.onWorkerMessage(w, msg));
    child.on('error', (e) => this.opts.log?.(`worker ${w.id}: ${e.message}`));
    // 'close', not 'exit': IPC messages the worker sent just before it died (the node it had started) are still
    // delivered after 'exit'; the crash report must come after them to name the node that was running.
    child.once('close', (code, signal) => {
      const wasReady = w.state === 'idle' || w.state === 'busy';
      const runIds = w.state === 'busy' ? w.runIds : [];
      if (w.state === 'stopped' || this.stopping) return;
      w.state = 'starting';
      w.runIds = [];
      this.opts.handlers.onExit(w, { code, signal, runIds, unresponsive: w.unresponsive });
      if (!wasReady) w.failedStarts++;
      // A worker that cannot even start (broken install) is retried ever more slowly, not in a hot loop.
      const delay = wasReady ? 100 : Math.min(30_000, 1000 * 2 ** Math.min(5, w.failedStarts - 1));
      this.opts.log?.(`worker ${w.id} exited (${signal ? `signal ${signal}` : `code ${code}`}); restarting in ${delay} ms`);
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (!this.stopping) this.spawn(w);
      }, delay);
      this.timers.add(t);
    });
  }

  /**
   * Pings ready workers; one silent for `misses` intervals is ended. Workers answer from their main thread, which a
   * synchronous ONNX call blocks, so interval × misses must exceed the longest single model call (default 5 s × 6).
   */
  private heartbeat(hb: HeartbeatOptions): void {
    const now = performance.now();
    for (const w of this.workers) {
      if ((w.state !== 'idle' && w.state !== 'busy') || w.unresponsive) continue;
      const silentMs = now - (w.lastHeardAt ?? now);
      if (silentMs > hb.intervalMs * hb.misses) {
        w.unresponsive = `no answer to heartbeats for ${hb.misses} × ${hb.intervalMs} ms`;
        this.opts.log?.(`worker ${w.id} is unresponsive (${w.unresponsive}); ending it`);
        this.kill(w);
        continue;
      }
      w.lastHeardAt ??= now;
      this.send(w, { type: 'ping', seq: ++this.pingSeq });
    }
  }
}
