// The run queue: every run is a Run row before dispatch; queued runs go to idle workers by priority,
// then age. Cancel, debug controls and queue positions live here; worker events go through the relay.
import { TRPCError } from '@trpc/server';
import type { Graph } from '../../nodes/engine/graph';
import type { RunEvent, RunStatus } from '../../nodes/engine/events';
import type { ModelStore } from '../../nodes/runtime/models';
import { workflowRoomOf } from '../auth/access';
import type { Db } from '../db';
import { parseGraphFormat, requireRunnableGraph, requireUsableInputs, type GraphLimits } from '../graph-checks';
import type { RunSnapshot } from '../socket-types';
import type { DebugCommand, DebugRequest, WorkerToHost } from '../worker/protocol';
import type { WorkerExit, WorkerHandle, WorkerPool } from '../worker/pool';
import { ActiveRuns, runPosition, type ActiveRun } from './active-runs';
import { checkEnqueueRequest, checkQueuedQuota, PerKeySerialiser, type EnqueueLimits } from './enqueue-limits';
import { PositionAnnouncer } from './position-announcer';
import { PreviewThrottle } from './preview-throttle';
import { RunDeadline } from './run-deadline';
import { RunEventRelay } from './run-event-relay';
import type { RunRecorder } from './run-recorder';
import { applySeedControls } from './seed-controls';

/** Where run events go (Socket.io rooms in the server; a list in tests). */
export interface RunBroadcaster {
  /** `workflowRoom`: the workflow whose room also hears it (only its owner's runs: auth/access.ts workflowRoomOf). */
  emit(event: RunEvent, workflowRoom: string | undefined): void;
  /** Clients watching this run (its room plus its workflow's room). */
  listenerCount(runId: string, workflowId: string | undefined): number;
}

export interface EnqueueRequest {
  graph?: unknown;
  workflowId?: string;
  version?: number;
  targets?: string[];
  debug?: DebugRequest;
  priority?: number;
  /** Who enqueued it (AUTH=local). */
  userId?: string | null;
  /** May set priority above normal: admins, and AUTH=none's single user. */
  admin?: boolean;
  /**
   * Batch count: this many runs, queued together. Seed controls apply run after run — "increment" counts up
   * from the previous run's seed, "random" draws a new one each time, "fixed" repeats.
   */
  count?: number;
}

export interface Enqueued { runId: string; position: number; graph: Graph }

export interface RunQueueOptions {
  db: Db;
  models: ModelStore;
  recorder: RunRecorder;
  previewFps: number;
  previewRunsKept: number;
  /** A cancelled run whose worker has not stopped after this long gets its worker killed. */
  cancelGraceMs?: number;
  /** RUN_TIMEOUT: a run running (not paused) longer than this is stopped with code `timeout`; 0/unset = no limit. */
  runTimeoutMs?: number;
  log?: (message: string) => void;
  /** Per-user quotas and graph caps (env.ts "Limits"). */
  limits: EnqueueLimits & { graph: GraphLimits };
}

/** What workflowRoomOf needs of a Run row. */
const ROOM_FIELDS = { workflowId: true, userId: true, workflow: { select: { ownerId: true } } } as const;

const ORDER = [{ priority: 'desc' as const }, { queuedAt: 'asc' as const }, { id: 'asc' as const }];

export class RunQueue {
  private pool: WorkerPool | undefined;
  private broadcaster: RunBroadcaster = { emit: () => undefined, listenerCount: () => 0 };
  private readonly active = new ActiveRuns();
  private readonly throttle: PreviewThrottle;
  private readonly relay: RunEventRelay;
  private positions = new Map<string, { position: number; workflowRoom?: string }>();
  private readonly announcer = new PositionAnnouncer();
  private pumping = false;
  private pumpAgain = false;
  private stopped = false;
  private readonly perUser = new PerKeySerialiser();

  constructor(private readonly opts: RunQueueOptions) {
    this.throttle = new PreviewThrottle(opts.previewFps);
    this.relay = new RunEventRelay({
      recorder: opts.recorder,
      throttle: this.throttle,
      previewRunsKept: opts.previewRunsKept,
      emit: (run, event) => this.broadcaster.emit(event, run.workflowRoom),
      ended: (run, { releaseWorker }) => {
        this.close(run);
        if (releaseWorker) this.pool?.release(run.worker);
        void this.pump();
      },
      log: opts.log,
    });
  }

  attach(pool: WorkerPool, broadcaster?: RunBroadcaster): void {
    this.pool = pool;
    if (broadcaster) this.broadcaster = broadcaster;
  }

  setBroadcaster(b: RunBroadcaster): void {
    this.broadcaster = b;
  }

  /**
   * Start-up recovery after a crash or kill: a run left running or paused goes back to the queue once when it had
   * stored nothing (no artifacts), so a killed server loses no work; one that had stored output, or was already
   * put back once, becomes interrupted (running it again could duplicate outputs or loop on a run that kills the
   * server). Queued runs stay queued.
   */
  async recover(): Promise<{ interrupted: number; requeued: number; queued: number }> {
    const db = this.opts.db;
    const left = await db.run.findMany({
      where: { status: { in: ['running', 'paused'] } },
      select: { id: true, requeues: true, _count: { select: { artifacts: true } } },
    });
    const again = left.filter((r) => r.requeues === 0 && r._count.artifacts === 0).map((r) => r.id);
    const requeued = again.length
      ? (await db.$transaction([
        db.nodeResult.deleteMany({ where: { runId: { in: again } } }),
        db.run.updateMany({
          where: { id: { in: again } },
          data: { status: 'queued', requeues: { increment: 1 }, workerId: null, startedAt: null },
        }),
      ]))[1].count
      : 0;
    const interrupt = (requeues: number | { gte: number }, errorMessage: string) => db.run.updateMany({
      where: { status: { in: ['running', 'paused'] }, requeues },
      data: { status: 'interrupted', finishedAt: new Date(), errorCode: 'interrupted', errorMessage },
    });
    const interrupted = (await interrupt(0, 'the server restarted while this run was running; run it again')).count
      + (await interrupt({ gte: 1 }, 'the server restarted while this run was running, again after it had been put back in the queue once; run it again')).count;
    const queued = await db.run.count({ where: { status: 'queued' } });
    await this.refreshPositions(false);
    return { interrupted, requeued, queued };
  }

  /** The first run's id, position and applied graph; `runs` lists every run of a batch; `graph` is the last one's. */
  async enqueue(req: EnqueueRequest): Promise<Enqueued & { runs: Enqueued[] }> {
    const { limits } = this.opts;
    checkEnqueueRequest(req, limits);
    // One enqueue per user at a time: the quota's count and the rows it allows are written together.
    return this.perUser.run(req.userId ?? '', async () => {
      await checkQueuedQuota(this.opts.db, req.userId ?? null, req.count ?? 1, limits);
      return this.enqueueChecked(req);
    });
  }

  private async enqueueChecked(req: EnqueueRequest): Promise<Enqueued & { runs: Enqueued[] }> {
    const db = this.opts.db;
    const { graph: graphLimits } = this.opts.limits;
    let source = req.graph;
    let version: number | undefined;
    let workflowOwner: string | null = null;
    if (req.workflowId) {
      const w = await db.workflow.findFirst({ where: { id: req.workflowId, deletedAt: null } });
      if (!w) throw new TRPCError({ code: 'NOT_FOUND', message: `no workflow "${req.workflowId}"` });
      workflowOwner = w.ownerId;
      if (source === undefined) {
        version = req.version ?? w.currentVersion;
        const v = await db.workflowVersion.findUnique({ where: { workflowId_number: { workflowId: w.id, number: version } } });
        if (!v) throw new TRPCError({ code: 'NOT_FOUND', message: `workflow "${w.name}" has no version ${version}` });
        source = JSON.parse(v.graph);
      } else {
        version = req.version;
      }
    }
    if (source === undefined) throw new TRPCError({ code: 'BAD_REQUEST', message: 'give a graph or a workflowId' });
    const runs: Enqueued[] = [];
    let previous: Graph = parseGraphFormat(source, graphLimits);
    for (let i = 0; i < (req.count ?? 1); i++) {
      // Seeds first, so the graph validated is exactly the graph that runs; the next run continues from it.
      const graph = requireRunnableGraph(applySeedControls(previous), this.opts.models, graphLimits, req.targets);
      // Only with accounts on (AUTH=local) does a run have a user; its input images are checked for that user, once:
      // a batch's runs differ only in seeds, and the engine's own problems are reported first.
      if (i === 0 && req.userId) await requireUsableInputs(db, graph, req.userId, req.workflowId);
      runs.push(await this.insert(req, graph, version, workflowOwner));
      previous = graph;
    }
    void this.pump();
    return { ...runs[0], graph: previous, runs };
  }

  private async insert(req: EnqueueRequest, graph: Graph, version: number | undefined, workflowOwner: string | null): Promise<Enqueued> {
    const run = await this.opts.db.run.create({
      data: {
        workflowId: req.workflowId ?? null, workflowVersion: version ?? null, graph: JSON.stringify(graph),
        priority: req.priority ?? 0, targets: req.targets ? JSON.stringify(req.targets) : null,
        debug: req.debug ? JSON.stringify(req.debug) : null, userId: req.userId ?? null,
      },
    });
    await this.refreshPositions(true, run.id);
    const position = this.positions.get(run.id)?.position ?? 1;
    const room = workflowRoomOf({ ...run, workflow: { ownerId: workflowOwner } });
    this.broadcaster.emit({ type: 'run:queued', runId: run.id, workflowId: run.workflowId ?? undefined, position }, room);
    return { runId: run.id, position, graph };
  }

  /** Queued: cancelled at once. Running: the worker is asked to stop (and killed if it does not). */
  /** `onlyQueued`: leave it alone if it has started meanwhile (clearing the queue must not stop running work). */
  async cancel(runId: string, reason = 'cancelled by user', opts: { onlyQueued?: boolean } = {}): Promise<{ runId: string; status: RunStatus | 'cancelling' }> {
    const db = this.opts.db;
    const row = await db.run.findUnique({ where: { id: runId }, select: { status: true, ...ROOM_FIELDS } });
    if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: `no run "${runId}"` });
    if (row.status === 'queued') {
      const { count } = await db.run.updateMany({
        where: { id: runId, status: 'queued' },
        data: { status: 'cancelled', finishedAt: new Date(), errorCode: 'cancelled', errorMessage: `${reason} before it started` },
      });
      if (count === 1) {
        this.broadcaster.emit({ type: 'run:cancelled', runId, reason }, workflowRoomOf(row));
        await this.refreshPositions(true);
        return { runId, status: 'cancelled' };
      }
    }
    const run = this.active.get(runId);
    if (!run || opts.onlyQueued) return { runId, status: (await db.run.findUnique({ where: { id: runId } }))!.status as RunStatus };
    if (!run.cancelReason) this.stopRun(run, reason);
    return { runId, status: 'cancelling' };
  }

  /** Asks the worker to stop the run, and kills the worker if it has not within the cancel grace. */
  private stopRun(run: ActiveRun, reason: string): void {
    run.cancelReason = reason;
    this.pool?.send(run.worker, { type: 'cancel', runId: run.runId, reason });
    run.cancelTimer = setTimeout(() => {
      this.opts.log?.(`run ${run.runId}: worker ${run.worker.id} ignored the cancel; killing it`);
      this.pool?.kill(run.worker);
    }, this.opts.cancelGraceMs ?? 15_000);
  }

  /** RUN_TIMEOUT is used up: the run ends `failed` with code `timeout`, naming the limit and the node. */
  private timeOut(run: ActiveRun): void {
    if (run.closed || run.cancelReason) return;
    const limit = run.deadline!.limitMs;
    run.timedOut = { message: `the run exceeded RUN_TIMEOUT (${limit} ms of running time) ${runPosition(run)}`, nodeId: run.node?.id };
    this.opts.log?.(`run ${run.runId}: ${run.timedOut.message}; stopping it`);
    this.stopRun(run, run.timedOut.message);
  }

  debug(runId: string, command: DebugCommand): boolean {
    const run = this.active.get(runId);
    if (!run) return false;
    this.pool?.send(run.worker, { type: 'debug', runId, command });
    return true;
  }

  setBreakpoints(runId: string, breakpoints: DebugRequest): boolean {
    const run = this.active.get(runId);
    if (!run) return false;
    this.pool?.send(run.worker, { type: 'breakpoints', runId, breakpoints });
    return true;
  }

  positionOf(runId: string): number | undefined {
    return this.positions.get(runId)?.position;
  }

  async snapshot(runId: string): Promise<RunSnapshot | undefined> {
    const row = await this.opts.db.run.findUnique({ where: { id: runId }, select: { status: true, workflowId: true } });
    if (!row) return undefined;
    const live = this.active.get(runId);
    const status = (live?.paused ? 'paused' : row.status) as RunStatus;
    return { runId, workflowId: row.workflowId ?? undefined, status, position: this.positionOf(runId) };
  }

  /** Queued and running runs of a workflow, oldest first (what an editor opening it should follow). */
  async activeRuns(workflowId: string): Promise<RunSnapshot[]> {
    const rows = await this.opts.db.run.findMany({
      where: { workflowId, status: { in: ['queued', 'running'] } },
      orderBy: [{ queuedAt: 'asc' }, { id: 'asc' }],
      select: { id: true, status: true, ...ROOM_FIELDS },
    });
    return rows.filter((r) => workflowRoomOf(r)).map((r) => ({
      runId: r.id, workflowId, status: (this.active.get(r.id)?.paused ? 'paused' : r.status) as RunStatus, position: this.positionOf(r.id),
    }));
  }

  /** Rooms changed: tell workers how many watch each running run, so nobody encodes unseen previews. */
  listenersChanged(): void {
    for (const run of this.active.all()) {
      const count = this.broadcaster.listenerCount(run.runId, run.workflowRoom);
      if (count !== run.listeners) {
        run.listeners = count;
        this.pool?.send(run.worker, { type: 'preview-listeners', runId: run.runId, count });
      }
    }
  }

  // ---- worker pool handlers ----

  onWorkerReady(w: WorkerHandle): void {
    this.opts.log?.(`worker ${w.id} ready (pid ${w.pid}, ${w.provider})`);
    void this.pump();
  }

  onWorkerMessage(w: WorkerHandle, msg: WorkerToHost): void {
    if (msg.type === 'fatal') {
      this.opts.log?.(`worker ${msg.workerId} cannot start: ${msg.message}`);
      return;
    }
    if (msg.type === 'ready' || msg.type === 'pong' || this.stopped) return;
    const run = this.active.get(msg.runId);
    if (!run || run.worker !== w) {
      this.opts.log?.(`worker ${w.id}: "${msg.type}" message for run ${msg.runId}, which is not running on it; dropped`);
      return;
    }
    this.active.serial(run, () => (msg.type === 'done' ? this.relay.done(run, msg.result) : this.relay.event(run, msg.event)), this.opts.log);
  }

  onWorkerExit(w: WorkerHandle, exit: WorkerExit): void {
    const run = exit.runId && !this.stopped ? this.active.get(exit.runId) : undefined;
    if (!run || run.worker !== w) return;
    this.active.serial(run, () => this.relay.crashed(run, exit), this.opts.log);
  }

  /** The worker broke the protocol (the pool ends it next): its run fails with code `worker_protocol`. */
  onWorkerProtocolError(w: WorkerHandle, problem: string, runId: string | undefined): void {
    const run = runId && !this.stopped ? this.active.get(runId) : undefined;
    if (!run || run.worker !== w) return;
    this.active.serial(run, () => this.relay.protocolError(run, problem), this.opts.log);
  }

  /** Stops dispatching and ignores further worker messages (call before stopping the workers). */
  beginStop(): void {
    this.stopped = true;
  }

  /** Waits for in-flight recording, then marks runs still executing as interrupted. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.active.settled();
    for (const run of this.active.all()) {
      await this.opts.recorder.fail(run.runId, {
        status: 'interrupted', code: 'interrupted', message: 'the server shut down while this run was running; run it again',
      }).catch(() => undefined);
      this.close(run);
    }
  }

  // ---- internals ----

  private close(run: ActiveRun): void {
    run.closed = true;
    clearTimeout(run.cancelTimer);
    run.deadline?.clear();
    this.throttle.forget(run.runId);
    this.active.delete(run.runId);
  }

  /** Hands queued runs to idle workers; serialised so two calls never claim the same worker. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        await this.dispatchAll();
      } while (this.pumpAgain);
    } catch (e) {
      this.opts.log?.(`dispatch failed: ${(e as Error).stack ?? e}`);
    } finally {
      this.pumping = false;
    }
  }

  private async dispatchAll(): Promise<void> {
    const db = this.opts.db;
    let changed = false;
    for (let w = this.pool?.idle(); w && !this.stopped; w = this.pool?.idle()) {
      const next = await db.run.findFirst({ where: { status: 'queued' }, orderBy: ORDER, include: { workflow: { select: { ownerId: true } } } });
      if (!next) break;
      const claimed = await db.run.updateMany({
        where: { id: next.id, status: 'queued' },
        data: { status: 'running', workerId: w.id, startedAt: new Date() },
      });
      if (claimed.count !== 1 || w.state !== 'idle') continue;
      changed = true;
      const workflowId = next.workflowId ?? undefined;
      const workflowRoom = workflowRoomOf(next);
      const listeners = this.broadcaster.listenerCount(next.id, workflowRoom);
      const run: ActiveRun = { runId: next.id, workflowId, workflowRoom, worker: w, listeners, paused: false, closed: false };
      if (this.opts.runTimeoutMs) run.deadline = new RunDeadline(this.opts.runTimeoutMs, () => this.timeOut(run));
      this.active.add(run);
      this.pool!.assign(w, {
        type: 'run', runId: next.id, ownerId: next.userId, graph: JSON.parse(next.graph) as Graph,
        targets: next.targets ? JSON.parse(next.targets) : undefined,
        debug: next.debug ? JSON.parse(next.debug) : undefined,
        previewListeners: listeners,
      });
    }
    if (changed) await this.refreshPositions(true);
  }

  /** Recomputes queue positions (1 = next to start) and tells waiting runs whose position moved (PositionAnnouncer). */
  private async refreshPositions(broadcast: boolean, skipRunId?: string): Promise<void> {
    const queued = await this.opts.db.run.findMany({ where: { status: 'queued' }, orderBy: ORDER, select: { id: true, ...ROOM_FIELDS } });
    const next = new Map(queued.map((r, i) => [r.id, { position: i + 1, workflowRoom: workflowRoomOf(r) }]));
    const moved = this.announcer.changes(next, skipRunId);
    if (broadcast) {
      for (const [runId, p] of moved) this.broadcaster.emit({ type: 'run:position', runId, position: p.position }, p.workflowRoom);
    }
    this.positions = next;
  }
}
