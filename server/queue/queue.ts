// The run queue: every run is a Run row before dispatch. Embedded, queued runs go to idle local workers by priority,
// then age, and a RunSupervisor watches them; scaled (REDIS_URL), each row becomes a BullMQ job that a worker host
// claims through the API, and cancel/debug reach it over Redis (RemoteDispatch). Queue positions live here.
import type { Log } from '../log';
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
import { checkEnqueueRequest, PerKeySerialiser, queuedRunsOf, requireQueuedQuota, type EnqueueLimits } from './enqueue-limits';
import { GroupCommit, type Settled } from './group-commit';
import { PositionAnnouncer } from './position-announcer';
import type { RunRecorder } from './run-recorder';
import { RunSupervisor } from './run-supervisor';
import type { Metrics } from '../metrics/metrics';
import { modelKeyOf } from './model-key';
import { aloneReason, batchKeyOf, gatherBatch, type BatchPolicy } from './batch-gather';
import { poolOf } from './pools';
import { recoverLeftRuns } from './recovery';
import { applySeedControls } from './seed-controls';
import { Arrivals } from './arrivals';
import { orderedIds } from './row-ids';

/** Scaled mode (server/cluster/): jobs and worker control through Redis instead of local workers. */
export interface RemoteDispatch {
  /** A queued run's job in its pool's queue (idempotent per run id). */
  add(run: QueuedRun): Promise<void>;
  /** The job of a run cancelled while queued (a worker that still claims it is refused by the database). */
  remove(run: { id: string; pool: string }): Promise<void>;
  /** A cancel or debugger command for whichever worker holds the run. */
  control(runId: string, msg: { type: 'cancel'; reason: string } | { type: 'debug'; command: DebugCommand } | { type: 'breakpoints'; breakpoints: DebugRequest }): Promise<void>;
  /** Which of these running runs are paused in the debugger (their worker hosts say so in Redis). */
  paused(runIds: string[]): Promise<Set<string>>;
  /** Jobs for every queued row (after a start, or Redis lost its data): Postgres holds the truth. */
  reconcile(queued: QueuedRun[]): Promise<number>;
}

export interface QueuedRun { id: string; priority: number; pool: string }

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
   * from the previous run's seed, "random" draws a new one each time, "randomize" keeps the given seed for the first
   * run and draws for the others, "fixed" repeats.
   */
  count?: number;
  /** Scaled mode: the worker pool to wait for (default: the graph's `meta.pool`, else "default"). */
  pool?: string;
}

export interface Enqueued { runId: string; position: number; graph: Graph; pool: string }

export type EnqueueResult = Enqueued & { runs: Enqueued[] };

/** A request checked and ready to write: its runs' graphs, and the workflow they belong to. */
interface Prepared { req: EnqueueRequest; graphs: Graph[]; version: number | undefined; workflowOwner: string | null }

/** A run row just written, before its position is known and announced. */
interface Inserted extends Enqueued { workflowId: string | null; room: string | undefined; priority: number }

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
  log?: Log;
  /** Per-user quotas and graph caps (env.ts "Limits"). */
  limits: EnqueueLimits & { graph: GraphLimits };
  /** Set in scaled mode: runs leave through BullMQ, not to local workers. */
  remote?: RemoteDispatch;
  metrics?: Metrics;
  /** Scaled mode: serialises one user's enqueues across web servers (cluster/redis-lock.ts). */
  serialiser?: KeySerialiser;
  /** Dynamic batching of local dispatch (BATCH_WINDOW_MS, MAX_BATCH); default: off (one run per worker). */
  batching?: BatchPolicy;
}

/** Runs tasks of one key one after another (PerKeySerialiser here, RedisKeyLock across servers). */
export interface KeySerialiser {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

type RemoteControl = Parameters<RemoteDispatch['control']>[1];

/** What workflowRoomOf needs of a Run row. */
const ROOM_FIELDS = { workflowId: true, userId: true, workflow: { select: { ownerId: true } } } as const;

/** The line: priority first, then age. */
export const QUEUE_ORDER = [{ priority: 'desc' as const }, { queuedAt: 'asc' as const }, { id: 'asc' as const }];

export class RunQueue {
  private pool: WorkerPool | undefined;
  private broadcaster: RunBroadcaster = { emit: () => undefined, listenerCount: () => 0 };
  private readonly supervisor: RunSupervisor;
  private positions = new Map<string, { position: number; workflowRoom?: string }>();
  private readonly announcer = new PositionAnnouncer();
  private pumping = false;
  /** A pump scheduled for when the head of the line has waited its batch window. */
  private windowTimer?: NodeJS.Timeout;
  private pumpAgain = false;
  private stopped = false;
  /** One user's enqueues are written a group at a time: in this process, or across web servers (scaled mode, `serialiser`). */
  private readonly perUser: GroupCommit<EnqueueRequest, EnqueueResult>;
  /** Set while the head of the line waits for company: the end of its window (ms). */
  private awaitedWindowEnd?: number;
  /** Enqueues under way: whether a fresh head of the line may get company in its window. */
  private readonly arrivals = new Arrivals();

  constructor(private readonly opts: RunQueueOptions) {
    this.perUser = new GroupCommit(opts.serialiser ?? new PerKeySerialiser(), (userId, reqs) => this.enqueueGroup(userId, reqs));
    this.supervisor = new RunSupervisor({
      records: opts.recorder,
      previewFps: opts.previewFps,
      previewRunsKept: opts.previewRunsKept,
      cancelGraceMs: opts.cancelGraceMs,
      runTimeoutMs: opts.runTimeoutMs,
      emit: (run, event) => this.broadcaster.emit(event, run.workflowRoom),
      send: (w, msg) => this.pool?.send(w, msg),
      kill: (w) => this.pool?.kill(w),
      onPreview: (result, count) => opts.metrics?.preview(result, count),
      ended: (run, { releaseWorker }) => {
        if (releaseWorker) this.pool?.release(run.worker, run.runId);
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
   * Start-up recovery after a crash or kill (embedded: recovery.ts; scaled: jobs for queued rows). Queued runs stay
   * queued.
   */
  async recover(): Promise<{ interrupted: number; requeued: number; queued: number }> {
    const db = this.opts.db;
    if (this.opts.remote) {
      // Scaled: other servers' workers are running those runs; a lost worker is the sweeper's business
      // (server/cluster/lost-workers.ts). What a start can do is make sure every queued row has its job.
      const queued = await this.reconcile();
      await this.refreshPositions(false);
      return { interrupted: 0, requeued: 0, queued };
    }
    const { interrupted, requeued } = await recoverLeftRuns(db);
    const queued = await db.run.count({ where: { status: 'queued' } });
    await this.refreshPositions(false);
    return { interrupted, requeued, queued };
  }

  /**
   * An HTTP request that will enqueue has arrived (server/app.ts, before its body is read): the batch window counts
   * it from now. Call `closed` when its response is over (its enqueue may never come: a malformed body).
   */
  requestArrived(request: object): { closed: () => void } {
    return this.arrivals.request(request);
  }

  /** Whether an enqueue is under way (its request arrived, its rows are not all written): the head may get company. */
  enqueuesUnderWay(): boolean {
    return this.arrivals.companyExpected();
  }

  /** The first run's id, position and applied graph; `runs` lists every run of a batch; `graph` is the last one's. */
  async enqueue(req: EnqueueRequest, request?: object): Promise<EnqueueResult> {
    const arrived = this.arrivals.beginFrom(request);
    try {
      checkEnqueueRequest(req, this.opts.limits);
      return await this.perUser.submit(req.userId ?? '', req);
    } finally {
      // Counted out before the pump looks, so a lone run does not wait for itself.
      arrived();
      if (!this.opts.remote) void this.pump();
    }
  }

  /**
   * One user's enqueues that waited for each other (GroupCommit): one quota count, each request's graphs checked in
   * arrival order (a request the quota or the checks refuse fails alone), one insert, one read of the line.
   */
  private async enqueueGroup(userId: string, reqs: EnqueueRequest[]): Promise<Settled<EnqueueResult>[]> {
    const { limits } = this.opts;
    let waiting = await queuedRunsOf(this.opts.db, userId || null);
    const prepared: Settled<Prepared>[] = [];
    for (const req of reqs) {
      try {
        requireQueuedQuota(waiting, req.count ?? 1, limits);
        const p = await this.prepare(req);
        waiting += p.graphs.length;
        prepared.push({ ok: true, value: p });
      } catch (error) {
        prepared.push({ ok: false, error });
      }
    }
    const accepted = prepared.flatMap((p) => (p.ok ? [p.value] : []));
    // A group the quota or the checks refused whole writes nothing and moves nobody.
    const announced = accepted.length ? await this.announceQueued((await this.insert(accepted)).flat()) : [];
    if (this.opts.remote) {
      for (const r of announced) await this.opts.remote.add({ id: r.runId, priority: r.priority, pool: r.pool });
    }
    let next = 0;
    return prepared.map((p) => {
      if (!p.ok) return p;
      const runs = announced.slice(next, next + p.value.graphs.length).map(({ priority: _p, ...run }) => run);
      next += runs.length;
      return { ok: true, value: { ...runs[0], graph: p.value.graphs.at(-1)!, runs } };
    });
  }

  /** A request's graphs as they will run (seed controls applied run after run, each validated), and its workflow. */
  private async prepare(req: EnqueueRequest): Promise<Prepared> {
    const db = this.opts.db;
    const { graph: graphLimits } = this.opts.limits;
    let source = req.graph;
    let version: number | undefined;
    let workflowOwner: string | null = null;
    if (req.workflowId) {
      const w = await db.workflow.findFirst({ where: { id: req.workflowId, deletedAt: null }, select: { id: true, name: true, ownerId: true, currentVersion: true } });
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
    const graphs: Graph[] = [];
    let previous: Graph = parseGraphFormat(source, graphLimits);
    for (let i = 0; i < (req.count ?? 1); i++) {
      // Seeds first, so the graph validated is exactly the graph that runs; the next run continues from it.
      const graph = requireRunnableGraph(applySeedControls(previous, undefined, i), this.opts.models, graphLimits, req.targets);
      // Only with accounts on (AUTH=local) does a run have a user; its input images are checked for that user, once:
      // a batch's runs differ only in seeds, and the engine's own problems are reported first.
      if (i === 0 && req.userId) await requireUsableInputs(db, graph, req.userId, req.workflowId);
      graphs.push(graph);
      previous = graph;
    }
    return { req, graphs, version, workflowOwner };
  }

  /**
   * One statement for all the rows of a group of enqueues (a "Run ×16" spent more time in 16 inserts than its worker
   * needed to start). They share one queuedAt; the line's tie-break is the id, so ids are made here, in the runs'
   * order. Returns each request's rows.
   */
  private async insert(accepted: Prepared[]): Promise<Inserted[][]> {
    const queuedAt = new Date();
    const ids = orderedIds(accepted.reduce((n, p) => n + p.graphs.length, 0));
    let next = 0;
    const rows = accepted.map(({ req, graphs, version }) => graphs.map((graph) => ({
      id: ids[next++], queuedAt,
      workflowId: req.workflowId ?? null, workflowVersion: version ?? null, graph: JSON.stringify(graph),
      priority: req.priority ?? 0, targets: req.targets ? JSON.stringify(req.targets) : null,
      debug: req.debug ? JSON.stringify(req.debug) : null, userId: req.userId ?? null,
      pool: req.pool ?? poolOf(graph), modelKey: modelKeyOf(graph),
    })));
    // Nothing to read back: the rows hold only what is written here.
    await this.opts.db.run.createMany({ data: rows.flat() });
    return rows.map((mine, r) => mine.map((run, i) => ({
      runId: run.id, position: 0, graph: accepted[r].graphs[i], pool: run.pool, workflowId: run.workflowId, priority: run.priority,
      room: workflowRoomOf({ ...run, workflow: { ownerId: accepted[r].workflowOwner } }),
    })));
  }

  /**
   * Positions of one enqueue's runs, read once after all are inserted (a "Run ×16" re-read the whole line after
   * each row), then a run:queued for each; runs already waiting hear of their moves as before.
   */
  private async announceQueued(inserted: Inserted[]): Promise<(Enqueued & { priority: number })[]> {
    await this.refreshPositions(true, new Set(inserted.map((r) => r.runId)));
    return inserted.map(({ workflowId, room, ...run }) => {
      const position = this.positions.get(run.runId)?.position ?? 1;
      this.broadcaster.emit({ type: 'run:queued', runId: run.runId, workflowId: workflowId ?? undefined, position }, room);
      return { ...run, position };
    });
  }

  /** Queued: cancelled at once. Running: the worker is asked to stop (and killed if it does not). */
  /** `onlyQueued`: leave it alone if it has started meanwhile (clearing the queue must not stop running work). */
  async cancel(runId: string, reason = 'cancelled by user', opts: { onlyQueued?: boolean } = {}): Promise<{ runId: string; status: RunStatus | 'cancelling' }> {
    const db = this.opts.db;
    const row = await db.run.findUnique({ where: { id: runId }, select: { status: true, pool: true, ...ROOM_FIELDS } });
    if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: `no run "${runId}"` });
    if (row.status === 'queued') {
      const { count } = await db.run.updateMany({
        where: { id: runId, status: 'queued' },
        data: { status: 'cancelled', finishedAt: new Date(), errorCode: 'cancelled', errorMessage: `${reason} before it started` },
      });
      if (count === 1) {
        this.opts.metrics?.runEnded({ workflowId: row.workflowId, status: 'cancelled', errorCode: 'cancelled', startedAt: null, finishedAt: null });
        await this.opts.remote?.remove({ id: runId, pool: row.pool });
        this.broadcaster.emit({ type: 'run:cancelled', runId, reason }, workflowRoomOf(row));
        await this.refreshPositions(true);
        return { runId, status: 'cancelled' };
      }
    }
    const current = async () => (await db.run.findUnique({ where: { id: runId } }))!.status as RunStatus;
    if (opts.onlyQueued) return { runId, status: await current() };
    // Scaled: the worker host holding it applies the cancel grace and RUN_TIMEOUT itself (run-supervisor.ts).
    const sent = this.opts.remote ? await this.controlRemote(runId, { type: 'cancel', reason }) : this.supervisor.cancel(runId, reason);
    return { runId, status: sent ? 'cancelling' : await current() };
  }

  async debug(runId: string, command: DebugCommand): Promise<boolean> {
    if (!this.opts.remote) return this.supervisor.debug(runId, command);
    return this.controlRemote(runId, { type: 'debug', command });
  }

  async setBreakpoints(runId: string, breakpoints: DebugRequest): Promise<boolean> {
    if (!this.opts.remote) return this.supervisor.setBreakpoints(runId, breakpoints);
    return this.controlRemote(runId, { type: 'breakpoints', breakpoints });
  }

  /**
   * Scaled mode: sends a command to whichever worker holds the run, if one does (the database says whether; the
   * control channel finds which). False when the run is not on a worker.
   */
  private async controlRemote(runId: string, msg: RemoteControl): Promise<boolean> {
    const row = await this.opts.db.run.findUnique({ where: { id: runId }, select: { status: true } });
    if (row?.status !== 'running' && row?.status !== 'paused') return false;
    await this.opts.remote!.control(runId, msg);
    return true;
  }

  /** Makes sure every queued row has its BullMQ job; returns how many rows are queued. */
  async reconcile(): Promise<number> {
    const queued = await this.opts.db.run.findMany({ where: { status: 'queued' }, orderBy: QUEUE_ORDER, select: { id: true, priority: true, pool: true } });
    if (this.opts.remote && queued.length) await this.opts.remote.reconcile(queued);
    return queued.length;
  }

  /** Scaled mode: a worker host claimed a run (server/cluster/worker-api.ts); positions move for everyone behind it. */
  async claimed(): Promise<void> {
    await this.refreshPositions(true);
  }

  positionOf(runId: string): number | undefined {
    return this.positions.get(runId)?.position;
  }

  async snapshot(runId: string): Promise<RunSnapshot | undefined> {
    const row = await this.opts.db.run.findUnique({ where: { id: runId }, select: { status: true, workflowId: true } });
    if (!row) return undefined;
    const paused = await this.pausedOf(row.status === 'running' ? [runId] : []);
    const status = (paused.has(runId) ? 'paused' : row.status) as RunStatus;
    return { runId, workflowId: row.workflowId ?? undefined, status, position: this.positionOf(runId) };
  }

  /** Runs paused at a breakpoint: known here (embedded), or from the worker hosts through Redis (scaled). */
  private async pausedOf(runIds: string[]): Promise<Set<string>> {
    if (!runIds.length) return new Set();
    if (this.opts.remote) return this.opts.remote.paused(runIds).catch(() => new Set<string>());
    return new Set(runIds.filter((id) => this.supervisor.get(id)?.paused));
  }

  /** Queued and running runs of a workflow, oldest first (what an editor opening it should follow). */
  async activeRuns(workflowId: string): Promise<RunSnapshot[]> {
    const rows = await this.opts.db.run.findMany({
      where: { workflowId, status: { in: ['queued', 'running'] } },
      orderBy: [{ queuedAt: 'asc' }, { id: 'asc' }],
      select: { id: true, status: true, ...ROOM_FIELDS },
    });
    const visible = rows.filter((r) => workflowRoomOf(r));
    const paused = await this.pausedOf(visible.filter((r) => r.status === 'running').map((r) => r.id));
    return visible.map((r) => ({
      runId: r.id, workflowId, status: (paused.has(r.id) ? 'paused' : r.status) as RunStatus, position: this.positionOf(r.id),
    }));
  }

  /** Rooms changed: tell workers how many watch each running run, so nobody encodes unseen previews. */
  listenersChanged(): void {
    for (const run of this.supervisor.all()) this.supervisor.setListeners(run.runId, this.broadcaster.listenerCount(run.runId, run.workflowRoom));
  }

  // ---- worker pool handlers ----

  onWorkerReady(w: WorkerHandle): void {
    this.opts.log?.(`worker ${w.id} ready (pid ${w.pid}, ${w.provider})`, { workerId: w.id });
    void this.pump();
  }

  onWorkerMessage(w: WorkerHandle, msg: WorkerToHost): void {
    this.supervisor.onWorkerMessage(w, msg);
  }

  onWorkerExit(w: WorkerHandle, exit: WorkerExit): void {
    this.supervisor.onWorkerExit(w, exit);
  }

  /** The worker broke the protocol (the pool ends it next): its run fails with code `worker_protocol`. */
  onWorkerProtocolError(w: WorkerHandle, problem: string, runIds: string[]): void {
    this.supervisor.onWorkerProtocolError(w, problem, runIds);
  }

  /** Stops dispatching and ignores further worker messages (call before stopping the workers). */
  beginStop(): void {
    this.stopped = true;
    clearTimeout(this.windowTimer);
    this.supervisor.beginStop();
  }

  /** Waits for in-flight recording, then marks runs still executing as interrupted. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.supervisor.stop('the server shut down while this run was running; run it again');
  }

  // ---- internals ----

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
        // One turn of the event loop first, so requests already received are seen arriving (Arrivals.request):
        // what triggers a pump (an enqueue written, a run ended) never waited for I/O on the way here.
        if (this.opts.batching && this.opts.batching.maxBatch > 1) await new Promise((r) => setImmediate(r));
        await this.dispatchAll();
      } while (this.pumpAgain);
    } catch (e) {
      this.opts.log?.(`dispatch failed: ${(e as Error).stack ?? e}`, { level: 'error' });
    } finally {
      this.pumping = false;
    }
  }

  private async dispatchAll(): Promise<void> {
    const db = this.opts.db;
    const { maxBatch, windowMs } = this.opts.batching ?? { maxBatch: 1, windowMs: 0 };
    // The head of the line waits for company: while enqueues that arrived within its window are being written (each
    // one's end pumps), and until the window ends (a timer pumps then) while any other enqueue is under way. The
    // ends before that need not read the line again: a burst of 16 separate enqueues read it 16 times. Once nobody
    // is coming, it goes at once, as a lone run does: the last of a burst no longer waited out the window's rest.
    const awaited = this.awaitedWindowEnd;
    if (awaited !== undefined) {
      const windowOpen = this.windowTimer !== undefined && Date.now() < awaited;
      if ((windowOpen && this.arrivals.companyExpected()) || this.arrivals.arrivedBy(awaited)) return;
      clearTimeout(this.windowTimer);
      this.windowTimer = undefined;
    }
    this.awaitedWindowEnd = undefined;
    let changed = false;
    for (let w = this.pool?.idle(); w && !this.stopped; w = this.pool?.idle()) {
      // A few batches' worth of the line: enough to find batch-mates behind runs that cannot join.
      const line = await db.run.findMany({ where: { status: 'queued' }, orderBy: QUEUE_ORDER, take: maxBatch * 4, include: { workflow: { select: { ownerId: true } } } });
      if (line.length === 0) break;
      const key = maxBatch > 1 ? batchKeyOf(line[0]) : null;
      const picked = gatherBatch(line, maxBatch, key);
      if (key !== null && picked.length < maxBatch && this.arrivals.companyExpected()) {
        // Wait for company until the head has been queued for the window (Triton's max queue delay), and for the
        // enqueues that arrived within it (each one's end pumps again).
        const windowEnd = picked[0].queuedAt.getTime() + windowMs;
        const waitMs = windowEnd - Date.now();
        if (waitMs > 0 || this.arrivals.arrivedBy(windowEnd)) {
          if (waitMs > 0) this.pumpIn(waitMs);
          this.awaitedWindowEnd = windowEnd;
          break;
        }
      }
      const startedAt = new Date();
      const claimed = await this.claim(picked, w.id, startedAt);
      if (claimed.length === 0 || w.state !== 'idle') continue;
      changed = true;
      const batch = claimed.length > 1 ? claimed.map((r) => r.id) : undefined;
      const alone = !batch && this.opts.batching ? aloneReason(claimed[0], maxBatch) : undefined;
      this.pool!.assign(w, claimed.map((next) => {
        this.opts.metrics?.runStarted(next.queuedAt, startedAt);
        const workflowRoom = workflowRoomOf(next);
        const listeners = this.broadcaster.listenerCount(next.id, workflowRoom);
        this.supervisor.start({ runId: next.id, workflowId: next.workflowId ?? undefined, workflowRoom, worker: w, listeners, userId: next.userId });
        return {
          type: 'run' as const, runId: next.id, ownerId: next.userId, graph: JSON.parse(next.graph) as Graph,
          targets: next.targets ? JSON.parse(next.targets) : undefined,
          debug: next.debug ? JSON.parse(next.debug) : undefined,
          previewListeners: listeners,
          ...(batch ? { batch } : {}),
          ...(alone ? { alone } : {}),
        };
      }));
    }
    if (changed) await this.refreshPositions(true);
  }

  /**
   * Marks the picked runs running on worker `workerId`, in one statement; a run cancelled meanwhile stays out. Only
   * when some were missed does a second query find which (startedAt is this claim's own instant).
   */
  private async claim<R extends { id: string }>(picked: R[], workerId: string, startedAt: Date): Promise<R[]> {
    const db = this.opts.db;
    const ids = picked.map((r) => r.id);
    const c = await db.run.updateMany({ where: { id: { in: ids }, status: 'queued' }, data: { status: 'running', workerId, startedAt } });
    if (c.count === picked.length) return picked;
    const mine = new Set((await db.run.findMany({ where: { id: { in: ids }, status: 'running', workerId, startedAt }, select: { id: true } })).map((r) => r.id));
    return picked.filter((r) => mine.has(r.id));
  }

  private pumpIn(ms: number): void {
    if (this.windowTimer) return;
    this.windowTimer = setTimeout(() => {
      this.windowTimer = undefined;
      void this.pump();
    }, ms);
    this.windowTimer.unref();
  }

  /**
   * Recomputes queue positions (1 = next to start) and tells waiting runs whose position moved (PositionAnnouncer).
   * Scaled mode counts within each pool (only that pool's workers take its runs); embedded mode has one line.
   */
  private async refreshPositions(broadcast: boolean, known?: ReadonlySet<string>): Promise<void> {
    const queued = await this.opts.db.run.findMany({ where: { status: 'queued' }, orderBy: QUEUE_ORDER, select: { id: true, pool: true, ...ROOM_FIELDS } });
    const ahead = new Map<string, number>();
    const next = new Map(queued.map((r) => {
      const line = this.opts.remote ? r.pool : '';
      const position = (ahead.get(line) ?? 0) + 1;
      ahead.set(line, position);
      return [r.id, { position, workflowRoom: workflowRoomOf(r) }];
    }));
    const moved = this.announcer.changes(next, known);
    if (broadcast) {
      for (const [runId, p] of moved) this.broadcaster.emit({ type: 'run:position', runId, position: p.position }, p.workflowRoom);
    }
    this.positions = next;
  }
}
