// Prometheus metrics of one web server process (GET /metrics, http.ts): runs, queue wait, nodes, node- and prompt-cache
// hits, previews, ratings, queue depth and worker memory. Counters and histograms count what this process recorded (in
// scaled mode every web server records some runs: Prometheus sums the servers); queue depth and worker memory are
// read when scraped, from the database and the workers' own reports, so every server shows the same cluster view.
import client from 'prom-client';

export interface EndedRun {
  workflowId: string | null;
  status: string;
  errorCode: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface MetricsSources {
  /** Queued runs per pool. */
  queueDepth(): Promise<{ pool: string; count: number }[]>;
  /** Memory the workers reported (bytes); `kind` is rss, onnx_sessions or gpu (absent without a GPU). */
  workerMemory(): Promise<{ worker: string; kind: 'rss' | 'onnx_sessions' | 'gpu'; bytes: number }[]>;
}

/** Seconds: from a 5 ms node to a 30 min run. */
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

export class Metrics {
  readonly registry = new client.Registry();
  private readonly runDuration: client.Histogram<'workflow' | 'status'>;
  private readonly queueWait: client.Histogram;
  private readonly nodeDuration: client.Histogram<'type'>;
  private readonly runs: client.Counter<'status' | 'code'>;
  private readonly cache: client.Counter<'cache' | 'result'>;
  private readonly previews: client.Counter<'result'>;
  private readonly rating: client.Histogram<'workflow'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    client.collectDefaultMetrics({ register: this.registry });
    this.runDuration = new client.Histogram({
      name: 'stepflow_run_duration_seconds', help: 'Run time from start to end (queue wait not included)',
      labelNames: ['workflow', 'status'], buckets: SECONDS, registers,
    });
    this.queueWait = new client.Histogram({
      name: 'stepflow_run_queue_wait_seconds', help: 'Time a run waited in the queue before a worker started it', buckets: SECONDS, registers,
    });
    this.nodeDuration = new client.Histogram({
      name: 'stepflow_node_duration_seconds', help: 'Node execution time (cache hits included, near zero)', labelNames: ['type'], buckets: SECONDS, registers,
    });
    this.runs = new client.Counter({
      name: 'stepflow_runs_total', help: 'Runs ended, by status and failure code (empty when none)', labelNames: ['status', 'code'], registers,
    });
    this.cache = new client.Counter({
      name: 'stepflow_cache_requests_total', help: 'Cache lookups by cache (node outputs, prompt embeddings) and result', labelNames: ['cache', 'result'], registers,
    });
    this.previews = new client.Counter({
      name: 'stepflow_previews_total', help: 'Step previews sent to browsers, or dropped by the PREVIEW_FPS limit', labelNames: ['result'], registers,
    });
    this.rating = new client.Histogram({
      name: 'stepflow_rating_score', help: 'Ratings (1 to 5) given to output images', labelNames: ['workflow'], buckets: [1, 2, 3, 4, 5], registers,
    });
    new client.Gauge({
      name: 'stepflow_queue_depth', help: 'Runs waiting in the queue, by worker pool', labelNames: ['pool'], registers,
      async collect() {
        this.reset();
        // An empty default pool still says 0: "no series" would read as "not scraped".
        this.set({ pool: 'default' }, 0);
        for (const { pool, count } of await sources.queueDepth()) this.set({ pool }, count);
      },
    });
    new client.Gauge({
      name: 'stepflow_worker_memory_bytes', help: 'Worker memory as the workers report it', labelNames: ['worker', 'kind'], registers,
      async collect() {
        this.reset();
        for (const m of await sources.workerMemory()) this.set({ worker: m.worker, kind: m.kind }, m.bytes);
      },
    });
  }

  /** A run ended (recorded here): its count by status and code, and, if it started, its running time. */
  runEnded(run: EndedRun): void {
    this.runs.inc({ status: run.status, code: run.errorCode ?? '' });
    if (run.startedAt && run.finishedAt) {
      this.runDuration.observe({ workflow: run.workflowId ?? 'adhoc', status: run.status }, (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000);
    }
  }

  runStarted(queuedAt: Date, startedAt: Date): void {
    this.queueWait.observe(Math.max(0, (startedAt.getTime() - queuedAt.getTime()) / 1000));
  }

  /** A run's prompt-cache lookups, from its worker's result (the node cache's are counted per node:finished). */
  promptCacheUsed(counts: { hits: number; misses: number }): void {
    this.cache.inc({ cache: 'prompt', result: 'hit' }, counts.hits);
    this.cache.inc({ cache: 'prompt', result: 'miss' }, counts.misses);
  }

  nodeFinished(type: string, ms: number, cached: boolean): void {
    this.nodeDuration.observe({ type }, ms / 1000);
    this.cache.inc({ cache: 'node', result: cached ? 'hit' : 'miss' });
  }

  rated(workflowId: string | null, score: number): void {
    this.rating.observe({ workflow: workflowId ?? 'adhoc' }, score);
  }

  preview(result: 'sent' | 'dropped', count = 1): void {
    if (count > 0) this.previews.inc({ result }, count);
  }

  /** This process's preview counts since it started (the /monitor page). */
  async previewTotals(): Promise<{ sent: number; dropped: number }> {
    const values = (await this.previews.get()).values;
    const of = (result: string) => values.filter((v) => v.labels.result === result).reduce((a, v) => a + v.value, 0);
    return { sent: of('sent'), dropped: of('dropped') };
  }
}
