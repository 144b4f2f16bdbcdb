// Live mode's scheduling (no React): every edit asks for a run of the graph as it now is. Edits are gathered for
// gatherMs from the first one; at most one live run is on the server at a time. A live run still waiting in the
// queue when a newer edit comes is superseded: cancelled, and the newest graph queued instead. One already running is
// let finish (on the built-in models it ends in well under a second, and cancelling it on every slider tick would
// mean no image ever arrives); the edits made meanwhile become ONE next run, of the newest graph.

export interface LiveDeps<G> {
  /** Queues a run of `graph`; resolves with its id. */
  enqueue(graph: G): Promise<string>;
  /** How long edits are gathered, from the first one not run yet, before their run is asked for. */
  gatherMs: number;
  /** Cancels a superseded live run that has not started; without it, a waiting run is let run like a started one. */
  cancel?(runId: string): Promise<unknown>;
  /** A run could not be queued (invalid graph, server down): live mode goes on with the next edit. */
  onError?(e: unknown): void;
}

export class LiveRunner<G> {
  private latest: G | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The live run on the server (queued or running), or the enqueue under way ('starting'). */
  private current: string | 'starting' | undefined;
  /** An edit arrived while `current` was busy: run the newest graph once it ends. */
  private pending = false;
  private stopped = false;
  /** Runs that ended while their enqueue had not answered yet (a fast run's end can overtake its id). */
  private endedEarly = new Set<string>();
  /** Runs a worker has started (the current one among them, or a start that overtook its enqueue's answer). */
  private startedRuns = new Set<string>();

  constructor(private readonly deps: LiveDeps<G>) {}

  /** The graph changed (or live mode was just turned on). */
  change(graph: G): void {
    if (this.stopped) return;
    this.latest = graph;
    // Counted from the first edit not run yet, not restarted by each one: a slider dragged without pause must still
    // produce pictures, at most one per gatherMs.
    this.timer ??= setTimeout(() => this.fire(), this.deps.gatherMs);
  }

  /** A worker started a run: from now on a newer edit waits for it instead of replacing it. */
  started(runId: string): void {
    if (this.current === runId || this.current === 'starting') this.startedRuns.add(runId);
  }

  /** A run ended (any way); when it is the live run, the newest waiting edit runs now. */
  ended(runId: string): void {
    if (this.current === 'starting') {
      this.endedEarly.add(runId);
      return;
    }
    if (this.current !== runId) return;
    this.current = undefined;
    if (this.pending) this.fire();
  }

  /** The live run's id while one is on the server. */
  get running(): string | undefined {
    return this.current === 'starting' ? undefined : this.current;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(): void {
    this.timer = undefined;
    if (this.stopped || this.latest === undefined) return;
    const waiting = this.current !== undefined && this.current !== 'starting' && !this.startedRuns.has(this.current);
    if (waiting && this.deps.cancel) {
      // Superseded before a worker took it: its end (cancelled) will not be waited for.
      const superseded = this.current!;
      this.current = undefined;
      this.deps.cancel(superseded).catch(() => undefined);
    }
    if (this.current !== undefined) {
      this.pending = true;
      return;
    }
    this.pending = false;
    this.startedRuns.clear();
    const graph = this.latest;
    this.current = 'starting';
    this.deps.enqueue(graph).then(
      (runId) => {
        const early = this.endedEarly.has(runId);
        this.endedEarly.clear();
        // A start that overtook the answer is kept; any other id in the set is an older run's.
        if (this.startedRuns.has(runId)) this.startedRuns = new Set([runId]);
        else this.startedRuns.clear();
        this.current = runId;
        if (early) this.ended(runId);
      },
      (e) => {
        this.current = undefined;
        this.deps.onError?.(e);
        if (this.pending) this.fire();
      },
    );
  }
}

/**
 * The graph a live run gets: seeds as shown. Seed controls ('random', 'increment', 'randomize') would give every
 * tweak a new seed, and a slider drag would flicker between unrelated pictures.
 */
export function liveGraph<G extends { nodes: { controls?: unknown }[] }>(graph: G): G {
  return { ...graph, nodes: graph.nodes.map(({ controls: _c, ...n }) => n) };
}
