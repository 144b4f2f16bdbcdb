// Turns one running run's worker messages into records (RunRecorder) and broadcast events, in order:
// watched steps stored, previews throttled, the end announced only after its artifacts are stored,
// crashes, hangs, timeouts and protocol breaches reported with their own codes.
import type { Log } from '../log';
import type { RunEvent, RunEventMap } from '../../nodes/engine/events';
import type { StepLatents } from '../../nodes/engine/step-latents';
import { ArtifactRejectedError } from '../artifacts/image-kind';
import type { WorkerExit } from '../worker/pool';
import type { WorkerRunResult } from '../worker/protocol';
import { runPosition, type ActiveRun } from './active-runs';
import type { PreviewThrottle } from './preview-throttle';
import type { RunFailure, RunRecords } from './run-recorder';

export interface RunEventRelayDeps {
  recorder: RunRecords;
  throttle: PreviewThrottle;
  /**
   * Thins node:progress for browsers to the preview rate (the node's last step always, the newest before a pause):
   * a sampler's 200 steps in half a second made 200 socket messages, which cost a watched run a tenth of its time.
   * Unset: every progress event is sent.
   */
  progress?: PreviewThrottle<RunEventMap['node:progress']>;
  previewRunsKept: number;
  emit(run: ActiveRun, event: RunEvent): void;
  /** The run's end is recorded and announced; the queue forgets it (and frees its worker if alive). */
  ended(run: ActiveRun, opts: { releaseWorker: boolean }): void;
  log?: Log;
  /** Watched steps whose frame the worker did not draw (its PREVIEW_FPS pacing): dropped previews (metrics). */
  onSkipped?: (count: number) => void;
}

export class RunEventRelay {
  constructor(private readonly d: RunEventRelayDeps) {}

  async event(run: ActiveRun, e: RunEvent): Promise<void> {
    const { emit, throttle, recorder } = this.d;
    switch (e.type) {
      case 'run:started':
        return emit(run, { ...e, workflowId: run.workflowId, workerId: run.worker.id });
      case 'node:started':
        run.node = { id: e.nodeId, type: e.nodeType, startedAt: performance.now() };
        return emit(run, e);
      case 'node:progress':
        if (!this.d.progress) return emit(run, e);
        for (const p of this.d.progress.offer(e)) emit(run, { ...p, type: 'node:progress' });
        return;
      case 'node:preview':
        // The worker already paced its frames (PREVIEW_FPS); the throttle is the safety net.
        tally(run).frames++;
        for (const f of throttle.offer(e)) emit(run, { ...f, type: 'node:preview' });
        return;
      case 'node:finished':
        this.countSkipped(run);
        this.d.progress?.forget(run.runId); // node:finished says more than a held progress step
        for (const f of throttle.flush(run.runId, e.nodeId)) emit(run, { ...f, type: 'node:preview' });
        run.node = undefined;
        run.previousNode = { id: e.nodeId, type: e.nodeType };
        await recorder.nodeFinished(e);
        return emit(run, e);
      case 'run:paused':
        run.paused = true;
        run.deadline?.pause();
        for (const p of this.d.progress?.flush(run.runId) ?? []) emit(run, { ...p, type: 'node:progress' });
        for (const f of throttle.flush(run.runId)) emit(run, { ...f, type: 'node:preview' });
        return emit(run, e);
      case 'run:resumed':
        run.paused = false;
        run.deadline?.resume();
        return emit(run, e);
      case 'run:finished':
      case 'run:failed':
      case 'run:cancelled':
        // Held until `done`: the host stores the artifacts first, then announces the end with their URLs.
        run.terminal = e;
        return;
      default:
        return emit(run, e);
    }
  }

  /**
   * Watched steps' latents, stored in order for the timeline (runs.steps). The worker sends them as a batch before a
   * pause and at its sampler's end, so the writing happens while the sampler waits or is done, not while it runs.
   */
  async stepLatents(run: ActiveRun, batch: StepLatents[]): Promise<void> {
    tally(run).steps += batch.length;
    await this.d.recorder.storeSteps(run.runId, batch).catch((err) => this.d.log?.(`run ${run.runId}: ${batch.length} step(s) not stored: ${err}`));
  }

  /** Steps the worker drew no frame for count as dropped previews, so sent + dropped = watched steps. */
  private countSkipped(run: ActiveRun): void {
    const t = tally(run);
    if (t.steps > t.frames) this.d.onSkipped?.(t.steps - t.frames);
    run.previews = { steps: 0, frames: 0 };
  }

  async done(run: ActiveRun, result: WorkerRunResult): Promise<void> {
    if (run.closed) return;
    this.countSkipped(run);
    if (run.timedOut && result.status !== 'succeeded') {
      // The worker saw a cancel; the run's user should see the limit it hit.
      result = { ...result, status: 'failed', error: { nodeId: run.timedOut.nodeId ?? result.error?.nodeId, code: 'timeout', message: run.timedOut.message } };
    }
    try {
      await this.announceEnd(run, result);
    } catch (e) {
      // The outputs could not be recorded (disk full, database locked, not an image): the run must still end, visibly.
      const failure = e instanceof ArtifactRejectedError
        ? { status: 'failed' as const, code: e.code, message: e.message, nodeId: e.nodeId }
        : { status: 'failed' as const, code: 'record_failed', message: `the run finished but its results could not be stored: ${(e as Error).message}` };
      this.d.log?.(`run ${run.runId}: ${(e as Error).stack ?? e}`, { runId: run.runId, workerId: run.worker.id, level: 'error' });
      await this.d.recorder.fail(run.runId, failure).catch(() => undefined);
      this.d.emit(run, { type: 'run:failed', runId: run.runId, nodeId: failure.nodeId, code: failure.code, message: failure.message });
    } finally {
      this.d.ended(run, { releaseWorker: true });
    }
    void this.d.recorder.prunePreviews(this.d.previewRunsKept).catch((e) => this.d.log?.(`pruning previews failed: ${e}`));
  }

  /** The worker died with this run on it: no retry (the graph may be what kills it); the run fails with the reason. */
  async crashed(run: ActiveRun, exit: WorkerExit): Promise<void> {
    if (run.closed) return;
    const w = run.worker;
    const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
    const where = runPosition(run);
    const nodeId = run.node?.id;
    const ended = w.external ? 'was disconnected' : 'was restarted';
    let failure: RunFailure;
    if (run.timedOut) {
      failure = { status: 'failed', code: 'timeout', message: `${run.timedOut.message}; worker ${w.id} did not stop in time and ${ended}`, nodeId: run.timedOut.nodeId };
    } else if (run.cancelReason) {
      failure = { status: 'cancelled', code: 'cancelled', message: `${run.cancelReason}; worker ${w.id} did not stop in time and ${ended}`, nodeId };
    } else if (exit.unresponsive) {
      failure = { status: 'failed', code: 'worker_unresponsive', message: `worker ${w.id} stopped answering (${exit.unresponsive}) ${where}; it ${ended}`, nodeId };
    } else if (exit.reason) {
      failure = { status: 'failed', code: 'worker_disconnected', message: `worker ${w.id} ${exit.reason} ${where}`, nodeId };
    } else {
      failure = { status: 'failed', code: 'worker_crashed', message: `worker ${w.id} exited with ${how} ${where}`, nodeId };
    }
    await this.endWith(run, failure);
  }

  /** The worker sent a message that breaks the protocol; the pool ends it, so the run cannot go on. */
  async protocolError(run: ActiveRun, problem: string): Promise<void> {
    if (run.closed) return;
    const w = run.worker;
    await this.endWith(run, {
      status: 'failed', code: 'worker_protocol', nodeId: run.node?.id,
      message: `worker ${w.id} sent a message that breaks the protocol ${runPosition(run)}: ${problem}; it ${w.external ? 'was disconnected' : 'was restarted'}`,
    });
  }

  /** Records and announces a run that ends without its worker's result; the worker is not handed another run. */
  private async endWith(run: ActiveRun, failure: RunFailure): Promise<void> {
    const node = run.node ? { ...run.node, ms: performance.now() - run.node.startedAt } : undefined;
    this.countSkipped(run);
    try {
      await this.d.recorder.fail(run.runId, failure, node);
    } finally {
      this.d.emit(run, failure.status === 'cancelled'
        ? { type: 'run:cancelled', runId: run.runId, nodeId: failure.nodeId, reason: failure.message }
        : { type: 'run:failed', runId: run.runId, nodeId: failure.nodeId, code: failure.code, message: failure.message });
      // The pool restarts a local process; the queue dispatches again when one is ready.
      this.d.ended(run, { releaseWorker: false });
    }
  }

  private async announceEnd(run: ActiveRun, result: WorkerRunResult): Promise<void> {
    const { emit } = this.d;
    const refs = await this.d.recorder.finish({ runId: run.runId, workflowId: run.workflowId, userId: run.userId }, result);
    for (const artifact of refs) emit(run, { type: 'node:artifact', runId: run.runId, artifact });
    const err = result.error;
    if (result.status === 'succeeded') {
      emit(run, {
        type: 'run:finished', runId: run.runId, totalMs: result.totalMs, ortMs: result.ortMs, artifacts: refs,
        ...(result.promptCache ? { promptCache: result.promptCache } : {}),
      });
    } else if (result.status === 'cancelled') {
      const held = run.terminal?.type === 'run:cancelled' ? run.terminal : undefined;
      emit(run, {
        type: 'run:cancelled', runId: run.runId, nodeId: err?.nodeId, reason: held?.reason ?? err?.message ?? run.cancelReason ?? 'cancelled',
        step: held?.step, stepsAfterCancel: held?.stepsAfterCancel,
      });
    } else {
      emit(run, { type: 'run:failed', runId: run.runId, nodeId: err?.nodeId, code: err?.code ?? 'run_failed', message: err?.message ?? 'the run failed' });
    }
  }
}

function tally(run: ActiveRun): { steps: number; frames: number } {
  return (run.previews ??= { steps: 0, frames: 0 });
}
