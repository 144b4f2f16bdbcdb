// Watches the runs that are on workers right now, wherever the supervisor lives: the web server's embedded queue
// (forked local workers, records in the database) and a scaled worker host (`npm run worker`, records through the
// API). It relays worker messages in order (RunEventRelay), stops runs asked to stop (killing a worker that ignores
// the cancel), enforces RUN_TIMEOUT and reports crashes, hangs and protocol breaches.
import type { Log } from '../log';
import type { RunEvent, RunEventMap } from '../../nodes/engine/events';
import { unpackSteps } from '../../nodes/engine/step-latents';
import type { DebugCommand, DebugRequest, HostToWorker, WorkerToHost } from '../worker/protocol';
import type { WorkerExit, WorkerHandle } from '../worker/pool';
import { ActiveRuns, runPosition, type ActiveRun } from './active-runs';
import { PreviewThrottle } from './preview-throttle';
import { RunDeadline } from './run-deadline';
import { RunEventRelay } from './run-event-relay';
import type { RunRecords } from './run-recorder';

export interface RunSupervisorOptions {
  records: RunRecords;
  previewFps: number;
  previewRunsKept: number;
  /** A cancelled run whose worker has not stopped after this long gets its worker killed. */
  cancelGraceMs?: number;
  /** RUN_TIMEOUT: a run running (not paused) longer than this is stopped with code `timeout`; 0/unset = no limit. */
  runTimeoutMs?: number;
  /** Where a run's events go (Socket.io rooms, directly or through Redis). */
  emit(run: ActiveRun, event: RunEvent): void;
  send(worker: WorkerHandle, msg: HostToWorker): void;
  kill(worker: WorkerHandle): void;
  /** The run's end is recorded and announced; `releaseWorker`: its worker is alive and may take the next run. */
  ended(run: ActiveRun, opts: { releaseWorker: boolean }): void;
  log?: Log;
  /**
   * Counts step previews sent to browsers and dropped by the PREVIEW_FPS limit (metrics): frames the worker did not
   * draw (its own pacing) and frames the safety-net throttle here held back both count as dropped.
   */
  onPreview?: (result: 'sent' | 'dropped', count?: number) => void;
}

export interface StartRun {
  runId: string;
  workflowId?: string;
  workflowRoom?: string;
  worker: WorkerHandle;
  listeners: number;
  userId?: string | null;
  /** Overrides the supervisor's RUN_TIMEOUT (a worker host takes the server's value with each run). */
  runTimeoutMs?: number;
}

export class RunSupervisor {
  private readonly active = new ActiveRuns();
  private readonly throttle: PreviewThrottle;
  private readonly progress: PreviewThrottle<RunEventMap['node:progress']>;
  private readonly relay: RunEventRelay;
  private stopped = false;

  constructor(private readonly opts: RunSupervisorOptions) {
    // Workers pace frames at PREVIEW_FPS themselves: the slack keeps transport jitter from dropping frames already drawn.
    this.throttle = new PreviewThrottle(opts.previewFps, undefined, () => opts.onPreview?.('dropped'), { slack: 0.25 });
    this.progress = new PreviewThrottle(opts.previewFps);
    this.relay = new RunEventRelay({
      recorder: opts.records,
      throttle: this.throttle,
      progress: this.progress,
      previewRunsKept: opts.previewRunsKept,
      emit: (run, event) => {
        if (event.type === 'node:preview') opts.onPreview?.('sent');
        opts.emit(run, event);
      },
      ended: (run, how) => {
        opts.log?.(`run ${run.runId} ended on worker ${run.worker.id}`, { runId: run.runId, workerId: run.worker.id, userId: run.userId ?? null });
        this.close(run);
        opts.ended(run, how);
      },
      log: opts.log,
      onSkipped: (count) => opts.onPreview?.('dropped', count),
    });
  }

  start(s: StartRun): ActiveRun {
    const run: ActiveRun = {
      runId: s.runId, workflowId: s.workflowId, workflowRoom: s.workflowRoom, worker: s.worker, listeners: s.listeners, paused: false, closed: false,
      userId: s.userId,
    };
    const limit = s.runTimeoutMs ?? this.opts.runTimeoutMs;
    if (limit) run.deadline = new RunDeadline(limit, () => this.timeOut(run));
    this.active.add(run);
    return run;
  }

  get(runId: string): ActiveRun | undefined {
    return this.active.get(runId);
  }

  all(): ActiveRun[] {
    return this.active.all();
  }

  /** Asks the worker to stop the run (once), and kills the worker if it has not within the cancel grace. */
  cancel(runId: string, reason: string): boolean {
    const run = this.active.get(runId);
    if (!run) return false;
    if (!run.cancelReason) this.stopRun(run, reason);
    return true;
  }

  debug(runId: string, command: DebugCommand): boolean {
    return this.forward(runId, { type: 'debug', runId, command });
  }

  setBreakpoints(runId: string, breakpoints: DebugRequest): boolean {
    return this.forward(runId, { type: 'breakpoints', runId, breakpoints });
  }

  /** Tells the run's worker how many watch it (it encodes previews only for an audience). */
  setListeners(runId: string, count: number): void {
    const run = this.active.get(runId);
    if (!run || run.listeners === count) return;
    run.listeners = count;
    this.opts.send(run.worker, { type: 'preview-listeners', runId, count });
  }

  onWorkerMessage(w: WorkerHandle, msg: WorkerToHost): void {
    if (msg.type === 'fatal') {
      this.opts.log?.(`worker ${msg.workerId} cannot start: ${msg.message}`, { workerId: msg.workerId, level: 'error' });
      return;
    }
    if (msg.type === 'ready' || msg.type === 'pong' || this.stopped) return;
    const run = this.active.get(msg.runId);
    if (!run || run.worker !== w) {
      this.opts.log?.(`worker ${w.id}: "${msg.type}" message for run ${msg.runId}, which is not running on it; dropped`, { runId: msg.runId, workerId: w.id, level: 'warn' });
      return;
    }
    this.active.serial(run, () => (msg.type === 'done'
      ? this.relay.done(run, msg.result)
      : msg.type === 'step-latents' ? this.relay.stepLatents(run, unpackSteps(msg.batch)) : this.relay.event(run, msg.event)), this.opts.log);
  }

  /** The worker died: every run it held (one, or a batch) fails. */
  onWorkerExit(w: WorkerHandle, exit: WorkerExit): void {
    for (const run of this.held(w, exit.runIds)) this.active.serial(run, () => this.relay.crashed(run, exit), this.opts.log);
  }

  /** The worker broke the protocol (the pool ends it next): its runs fail with code `worker_protocol`. */
  onWorkerProtocolError(w: WorkerHandle, problem: string, runIds: string[]): void {
    for (const run of this.held(w, runIds)) this.active.serial(run, () => this.relay.protocolError(run, problem), this.opts.log);
  }

  private held(w: WorkerHandle, runIds: string[]): ActiveRun[] {
    if (this.stopped) return [];
    return runIds.map((id) => this.active.get(id)).filter((r): r is ActiveRun => r !== undefined && r.worker === w);
  }

  /** Ignores further worker messages (call before stopping the workers). */
  beginStop(): void {
    this.stopped = true;
  }

  /** Waits for in-flight recording, then records runs still executing as interrupted. */
  async stop(message: string): Promise<void> {
    this.stopped = true;
    await this.active.settled();
    for (const run of this.active.all()) {
      await this.opts.records.fail(run.runId, { status: 'interrupted', code: 'interrupted', message }).catch(() => undefined);
      this.close(run);
    }
  }

  private forward(runId: string, msg: HostToWorker): boolean {
    const run = this.active.get(runId);
    if (!run) return false;
    this.opts.send(run.worker, msg);
    return true;
  }

  private stopRun(run: ActiveRun, reason: string): void {
    run.cancelReason = reason;
    this.opts.send(run.worker, { type: 'cancel', runId: run.runId, reason });
    run.cancelTimer = setTimeout(() => {
      this.opts.log?.(`run ${run.runId}: worker ${run.worker.id} ignored the cancel; killing it`, { runId: run.runId, workerId: run.worker.id, level: 'warn' });
      this.opts.kill(run.worker);
    }, this.opts.cancelGraceMs ?? 15_000);
  }

  /** RUN_TIMEOUT is used up: the run ends `failed` with code `timeout`, naming the limit and the node. */
  private timeOut(run: ActiveRun): void {
    if (run.closed || run.cancelReason) return;
    const limit = run.deadline!.limitMs;
    run.timedOut = { message: `the run exceeded RUN_TIMEOUT (${limit} ms of running time) ${runPosition(run)}`, nodeId: run.node?.id };
    this.opts.log?.(`run ${run.runId}: ${run.timedOut.message}; stopping it`, { runId: run.runId, workerId: run.worker.id, level: 'warn' });
    this.stopRun(run, run.timedOut.message);
  }

  private close(run: ActiveRun): void {
    run.closed = true;
    clearTimeout(run.cancelTimer);
    run.deadline?.clear();
    this.throttle.forget(run.runId);
    this.progress.forget(run.runId);
    this.active.delete(run.runId);
  }
}
