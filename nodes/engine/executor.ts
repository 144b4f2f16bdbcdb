// Runs a validated graph: ancestors of the targets in topological order, cached per node,
// cancellable, with one typed event stream. Never rejects: failures become a failed result.
import type { AnyNodeDefinition, Artifact, ExecuteContext, ExecuteLimits, PreviewFrame } from '../define';
import type { OnnxRuntime } from '../runtime/onnx';
import type { ModelStore } from '../runtime/models';
import type { InputStore } from '../runtime/inputs';
import { encodeLatentPreview, PREVIEW_MIME } from '../models/latent-preview';
import { registry } from '../registry';
import { describeNode, type CatalogNode } from './catalog';
import type { Graph, GraphEdge, GraphNode } from './graph';
import { validateGraph, type GraphProblem } from './validate';
import { adjacency, ancestorsOf, topologicalOrder } from './order';
import { NodeCache } from './cache';
import { DEFAULT_PROMPT_CACHE_BYTES, PromptCache, type PromptCacheCounts, type PromptCacheRun } from './prompt-cache';
import { FileHasher, nodeKey } from './cache-key';
import { describeValue, summarize, valueBytes } from './values';
import { errorCode, errorMessage, isCancellation, RunCancelledError, throwIfCancelled } from './errors';
import type { DebugController } from './debug';
import type { BatchOutcome, LoopBatch } from '../sampling/batch';
import { embedGraph } from '../interop/png-graph';
import type { RunEvent, RunWarning } from './events';
import { DEFAULT_MAX_IMAGE_PIXELS, type OutputSizeFn } from './image-size';
import { PreviewStream, type PreviewEncoder } from './preview-stream';
import type { StepBatch } from './step-latents';
import { StepBufferPool } from './step-buffers';

export interface ExecutorOptions {
  runtime: OnnxRuntime;
  models: ModelStore;
  inputs: InputStore;
  /** Budget of the node output cache; default 1 GiB. */
  cacheBytes?: number;
  /** Budget of the prompt-embedding cache (text-encoder outputs, across runs and graphs); default 64 MiB, 0 = off. */
  promptCacheBytes?: number;
  previewMaxSize?: number;
  /** Draws a preview latent as image bytes; default PNG (encodeLatentPreview). Tests inject slow/fast ones. */
  encodePreview?: PreviewEncoder;
  /** Node definitions to run with; default: the registry (tests pass their own). */
  nodes?: readonly AnyNodeDefinition[];
  /** The host's limits (the worker's from env); default DEFAULT_MAX_IMAGE_PIXELS. */
  limits?: Partial<ExecuteLimits>;
}

export interface RunOptions {
  runId: string;
  /** Node ids to execute with their ancestors ("run to here"); default: every output node. */
  targets?: string[];
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
  wantsPreview?: () => boolean;
  /** Live previews drawn per second per node (the first and last step, and the newest before a pause, always); unset: every step. */
  previewFps?: number;
  /**
   * Every previewed step's raw latents (the timeline), in batches: before a pause, at the node's end, or every 16 MB.
   * The batch's data is valid during the call only: serialise or copy it there.
   */
  onSteps?: (batch: StepBatch) => void;
  /** Keep every sampler step for onSteps even when nobody watches (PREVIEW_STEPS=all); live frames still only when watched. */
  keepSteps?: boolean;
  debug?: DebugController;
  /** Mixed into every node key, so a cache hit (`cached: true`) never reveals another scope's runs. */
  cacheScope?: string;
  /** The run's place in a batch the worker took (dynamic batching): its samplers may share loops. */
  batch?: LoopBatch;
}

export type NodeRunStatus = 'succeeded' | 'failed' | 'cancelled' | 'skipped';

export interface NodeRunInfo {
  id: string;
  type: string;
  ms: number;
  ortMs: number;
  cached: boolean;
  status: NodeRunStatus;
  batch?: BatchOutcome;
}

export interface RunResult {
  runId: string;
  status: 'succeeded' | 'failed' | 'cancelled';
  totalMs: number;
  ortMs: number;
  nodes: NodeRunInfo[];
  artifacts: (Artifact & { nodeId: string })[];
  /** Output values of the executed nodes (for "run to here" inspection). */
  values: Map<string, Record<string, unknown>>;
  error?: { nodeId?: string; code: string; message: string; problems?: GraphProblem[] };
  /** Prompt-cache lookups of the text encoders this run executed; absent when the prompt cache is off. */
  promptCache?: PromptCacheCounts;
}

/** The category of the nodes that step through a sampling loop (sampleLatent's hooks): "every step" breaks in them. */
const STEPPING_CATEGORY = 'sampling';

export class Executor {
  readonly cache: NodeCache;
  readonly promptCache: PromptCache;
  private readonly hasher = new FileHasher();
  private readonly defs: ReadonlyMap<string, AnyNodeDefinition>;
  private readonly catalog: CatalogNode[];
  private readonly limits: ExecuteLimits;
  /** Kept step latents of watched samplers, reused from run to run (preview-stream.ts). */
  private readonly stepBuffers = new StepBufferPool();

  constructor(private readonly opts: ExecutorOptions) {
    this.cache = new NodeCache(opts.cacheBytes ?? 1024 ** 3);
    this.promptCache = new PromptCache(opts.promptCacheBytes ?? DEFAULT_PROMPT_CACHE_BYTES);
    this.defs = opts.nodes ? new Map(opts.nodes.map((d) => [d.type, d])) : registry;
    this.catalog = [...this.defs.values()].map(describeNode);
    this.limits = { maxImagePixels: opts.limits?.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS };
  }

  async run(input: unknown, ro: RunOptions): Promise<RunResult> {
    const t0 = performance.now();
    const ort0 = this.opts.runtime.ortMs;
    const emit = (e: RunEvent) => {
      try {
        ro.onEvent?.(e);
      } catch {
        // A broken listener must not break the run.
      }
    };
    const result: RunResult = { runId: ro.runId, status: 'succeeded', totalMs: 0, ortMs: 0, nodes: [], artifacts: [], values: new Map() };
    const prompts = this.promptCache.budgetBytes > 0 ? this.promptCache.forRun(ro.cacheScope) : undefined;
    const finish = (): RunResult => {
      result.totalMs = performance.now() - t0;
      result.ortMs = this.opts.runtime.ortMs - ort0;
      if (prompts) result.promptCache = prompts.counts();
      return result;
    };

    const v = validateGraph(input, {
      catalog: this.catalog, models: this.opts.models, targets: ro.targets,
      imageSizes: { maxPixels: this.limits.maxImagePixels, outputSize: (type) => this.defs.get(type)?.outputSize as OutputSizeFn | undefined },
    });
    if (!v.ok) {
      const message = v.problems.map((p) => p.message).join('; ');
      result.status = 'failed';
      result.error = { code: 'invalid_graph', message, problems: v.problems, nodeId: v.problems.find((p) => p.nodeId)?.nodeId };
      emit({ type: 'run:failed', runId: ro.runId, nodeId: result.error.nodeId, code: 'invalid_graph', message });
      return finish();
    }
    // Bypassed nodes are resolved away for running; the PNGs embed the graph as given (bypass flags kept).
    const { graph: given, runGraph: graph } = v;
    const order = this.plan(graph, v.targets);
    emit({ type: 'run:started', runId: ro.runId, nodeIds: order.map((n) => n.id) });

    const keys = new Map<string, string>();
    const incoming = new Map<string, GraphEdge[]>();
    for (const e of graph.edges) {
      const list = incoming.get(e.to.node);
      if (list) list.push(e);
      else incoming.set(e.to.node, [e]);
    }
    const signal = ro.signal ?? new AbortController().signal;
    // Progress of the running node when the cancel arrives: proves samplers stop within a step.
    const progress = { step: 0, atCancel: undefined as number | undefined };
    const track = (e: RunEvent) => {
      if (e.type === 'node:progress') progress.step = e.step;
      if (e.type === 'node:started') progress.step = 0;
      emit(e);
    };
    signal.addEventListener('abort', () => (progress.atCancel = progress.step), { once: true });
    // Nodes that bypass the cache: those a breakpoint stops in (asked as each is reached, so breakpoints set while
    // the run goes count) and everything downstream of them, which then runs on freshly computed inputs.
    const forced = new Set<string>();
    for (const node of order) {
      const def = this.defs.get(node.type)!;
      try {
        throwIfCancelled(signal);
        await ro.debug?.beforeNode?.(node.id, signal);
        throwIfCancelled(signal);
        const edges = incoming.get(node.id) ?? [];
        if (ro.debug?.stopsIn?.(node.id, def.category === STEPPING_CATEGORY) || edges.some((e) => forced.has(e.from.node))) forced.add(node.id);
        await this.runNode(node, edges, def, keys, result, ro, signal, track, prompts, forced.has(node.id));
      } catch (e) {
        result.nodes.push({ id: node.id, type: node.type, ms: 0, ortMs: 0, cached: false, status: isCancellation(e, signal) ? 'cancelled' : 'failed' });
        for (const rest of order.slice(order.indexOf(node) + 1)) {
          result.nodes.push({ id: rest.id, type: rest.type, ms: 0, ortMs: 0, cached: false, status: 'skipped' });
        }
        if (isCancellation(e, signal)) {
          const reason = e instanceof RunCancelledError ? e.reason : new RunCancelledError().reason;
          result.status = 'cancelled';
          result.error = { nodeId: node.id, code: 'cancelled', message: reason };
          const stepsAfterCancel = progress.atCancel === undefined ? undefined : progress.step - progress.atCancel;
          emit({ type: 'run:cancelled', runId: ro.runId, nodeId: node.id, reason, step: progress.step, stepsAfterCancel });
        } else {
          result.status = 'failed';
          result.error = { nodeId: node.id, code: errorCode(e), message: `${def.title} (${node.id}): ${errorMessage(e)}` };
          emit({ type: 'run:failed', runId: ro.runId, ...result.error });
        }
        return finish();
      }
    }
    // PNG outputs carry the graph that made them, embedded per run so a cached output gets this
    // run's graph. No run id: identical graphs keep identical, content-addressed files.
    result.artifacts = result.artifacts.map((a) => (a.mime === 'image/png' ? { ...a, bytes: embedGraph(a.bytes, given) } : a));
    finish();
    emit({
      type: 'run:finished', runId: ro.runId, totalMs: result.totalMs, ortMs: result.ortMs,
      artifacts: result.artifacts.map((a) => ({ nodeId: a.nodeId, kind: a.kind, filename: a.filename, mime: a.mime, width: a.width, height: a.height })),
    });
    return result;
  }

  /** The nodes to execute, in order: ancestors of the targets (default: output nodes). */
  private plan(graph: Graph, targets?: string[]): GraphNode[] {
    const wanted = targets ?? graph.nodes.filter((n) => this.defs.get(n.type)?.output).map((n) => n.id);
    const needed = ancestorsOf(adjacency(graph), wanted);
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    return topologicalOrder(graph, needed).order.map((id) => byId.get(id)!);
  }

  private async runNode(
    node: GraphNode, edges: GraphEdge[], def: AnyNodeDefinition, keys: Map<string, string>,
    result: RunResult, ro: RunOptions, signal: AbortSignal, emit: (e: RunEvent) => void, prompts?: PromptCacheRun, skipCache = false,
  ): Promise<void> {
    const params = resolveParams(node, def);
    const inputs: Record<string, unknown> = {};
    const inputKeys: Record<string, string> = {};
    for (const e of edges) {
      inputs[e.to.input] = result.values.get(e.from.node)?.[e.from.output];
      inputKeys[e.to.input] = `${keys.get(e.from.node)}:${e.from.output}`;
    }
    const files = def.files?.(params, { models: this.opts.models, inputs: this.opts.inputs }) ?? [];
    const key = nodeKey({ type: def.type, version: def.version, params, inputs: inputKeys, files, scope: ro.cacheScope }, this.hasher);
    keys.set(node.id, key);

    emit({ type: 'node:started', runId: ro.runId, nodeId: node.id, nodeType: node.type });
    const cached = skipCache ? undefined : this.cache.get(key);
    if (cached) {
      this.record(node, def, cached.outputs, cached.artifacts, result, ro, emit, { ms: 0, ortMs: 0, cached: true, ...withWarnings(cached.warnings ?? []) });
      return;
    }

    const started = performance.now();
    const ort0 = this.opts.runtime.ortMs;
    const artifacts: Artifact[] = [];
    const previews = this.previewStream(node, ro, emit);
    const warnings: RunWarning[] = [];
    const ctx = this.context(node, ro, signal, emit, artifacts, previews, warnings, prompts);
    let batch: BatchOutcome | undefined;
    if (ro.batch) {
      const member = ro.batch;
      ctx.batch = {
        join: async (k, cursor) => {
          const r = await member.join(k, cursor);
          batch = r.outcome;
          return r;
        },
        call: (k, input, many, sig) => member.call(k, input, many, sig),
        alone: (outcome) => {
          batch = outcome;
          member.alone(outcome);
        },
      };
    }
    let outputs: Record<string, unknown>;
    try {
      outputs = (await def.execute(ctx, inputs, params)) as Record<string, unknown>;
    } finally {
      previews.sendSteps(); // a failed or cancelled sampler's steps still belong on the run's timeline
    }
    // The node's last frame (held by the pacer after an early stop) and every encode finish before node:finished.
    await previews.flush();
    throwIfCancelled(signal);
    const ms = performance.now() - started;
    const ortMs = this.opts.runtime.ortMs - ort0;
    this.cache.set(key, { outputs, artifacts, warnings, bytes: valueBytes(outputs) + artifacts.reduce((n, a) => n + a.bytes.byteLength, 0) });
    this.record(node, def, outputs, artifacts, result, ro, emit, { ms, ortMs, cached: false, ...(batch ? { batch } : {}), ...withWarnings(warnings) });
  }

  private record(
    node: GraphNode, def: AnyNodeDefinition, outputs: Record<string, unknown>, artifacts: Artifact[],
    result: RunResult, ro: RunOptions, emit: (e: RunEvent) => void, t: { ms: number; ortMs: number; cached: boolean; batch?: BatchOutcome; warnings?: RunWarning[] },
  ): void {
    result.values.set(node.id, outputs);
    for (const a of artifacts) result.artifacts.push({ ...a, nodeId: node.id });
    result.nodes.push({ id: node.id, type: node.type, status: 'succeeded', ...t });
    emit({
      type: 'node:finished', runId: ro.runId, nodeId: node.id, nodeType: node.type, ...t,
      outputs: Object.entries(def.outputs).map(([name, s]) => {
        const type = (s as { type: string }).type;
        return { name, type, summary: summarize(type, outputs[name]), details: describeValue(type, outputs[name]) };
      }),
    });
  }

  private previewStream(node: GraphNode, ro: RunOptions, emit: (e: RunEvent) => void): PreviewStream {
    const maxSize = this.opts.previewMaxSize ?? 512;
    return new PreviewStream({
      runId: ro.runId, nodeId: node.id, emit, fps: ro.previewFps, onSteps: ro.onSteps, buffers: this.stepBuffers, mime: PREVIEW_MIME,
      encode: this.opts.encodePreview ?? (async (latent, rgb) => encodeLatentPreview(latent, rgb, { maxSize }).bytes),
    });
  }

  private context(
    node: GraphNode, ro: RunOptions, signal: AbortSignal, emit: (e: RunEvent) => void,
    artifacts: Artifact[], previews: PreviewStream, warnings: RunWarning[], promptCache?: PromptCacheRun,
  ): ExecuteContext {
    const { runtime, models, inputs } = this.opts;
    const watched = () => ro.wantsPreview?.() ?? false;
    // Kept steps need the sampler's previews too; only a watched run's are drawn.
    const keepSteps = Boolean(ro.keepSteps && ro.onSteps);
    const wantsPreview = () => keepSteps || watched();
    const runId = ro.runId;
    const nodeId = node.id;
    return {
      runId, nodeId, signal, runtime, models, inputs, wantsPreview, limits: this.limits, promptCache,
      progress: (step, total) => emit({ type: 'node:progress', runId, nodeId, step, total }),
      preview: (frame: PreviewFrame) => {
        if (watched()) previews.offer(frame);
        else if (keepSteps) previews.keepOnly(frame);
      },
      beforeStep: async (state) => {
        throwIfCancelled(signal);
        // A pause shows the newest frame: what the pacer held back, and encodes still running, go out before the
        // debugger announces it. Re-checked after each wait, since a pause may be asked for meanwhile.
        while (previews.pending && ro.debug?.breaksBefore?.(nodeId, state.step)) await previews.flush();
        await ro.debug?.beforeStep?.(nodeId, state, signal);
        throwIfCancelled(signal);
      },
      afterStep: async (state) => {
        await ro.debug?.afterStep?.(nodeId, state, signal);
      },
      breaksBefore: (step) => ro.debug?.breaksBefore?.(nodeId, step) ?? false,
      artifact: (a) => artifacts.push(a),
      warn: (message) => emit({ type: 'node:warning', runId, nodeId, message }),
      runWarning: (w) => {
        warnings.push(w);
        emit({ type: 'node:warning', runId, nodeId, message: w.message });
      },
      log: () => undefined,
    };
  }
}

/** node:finished names warnings only when there are some. */
function withWarnings(warnings: RunWarning[]): { warnings?: RunWarning[] } {
  return warnings.length ? { warnings: [...warnings] } : {};
}

/** Params by name with defaults filled in, parsed by each param's schema. */
export function resolveParams(node: GraphNode, def: AnyNodeDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(def.params) as [string, { schema: { parse(v: unknown): unknown }; default: unknown }][]) {
    out[name] = spec.schema.parse(node.params[name] ?? spec.default);
  }
  return out;
}
