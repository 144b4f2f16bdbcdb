// The one message protocol between the server (host) and its worker processes, both directions.
// Messages travel over the fork IPC channel with `serialization: 'advanced'`, so Uint8Array passes as is.
// The host checks every worker → host message against protocol-schema.ts before using it.
import type { Breakpoints } from '../../nodes/engine/debugger';
import type { Graph } from '../../nodes/engine/graph';
import type { RunEvent } from '../../nodes/engine/events';
import type { RunResult } from '../../nodes/engine/executor';
import type { PromptCacheTotals } from '../../nodes/engine/prompt-cache';
import type { StepBatch } from '../../nodes/engine/step-latents';

/** Breakpoints a run starts with (the engine's DebugSession format). */
export type DebugRequest = Breakpoints;

/** pause: break before the next sampler step; step: run one step (or node) and pause; resume: run on. */
export type DebugCommand = 'pause' | 'resume' | 'step';

export type HostToWorker =
  /** `ownerId`: who the run belongs to (null with AUTH=none); the worker's node cache is scoped by it. */
  /**
   * `batch`: the run ids dispatched to this worker together, this one included (dynamic batching); the worker runs
   * them at once and lets their samplers share loops. `alone`: batching is on but this run goes alone, and why.
   */
  | { type: 'run'; runId: string; ownerId: string | null; graph: Graph; targets?: string[]; debug?: DebugRequest; previewListeners: number; batch?: string[]; alone?: string }
  | { type: 'cancel'; runId: string; reason: string }
  | { type: 'preview-listeners'; runId: string; count: number }
  | { type: 'debug'; runId: string; command: DebugCommand }
  | { type: 'breakpoints'; runId: string; breakpoints: DebugRequest }
  | { type: 'shutdown' }
  /** Heartbeat: the worker answers `pong` with the same seq from its main thread (pool.ts). */
  | { type: 'ping'; seq: number };

/** A small picture of a "run to here" target's IMAGE output, for the editor's inspector. */
export interface InspectThumbnail {
  nodeId: string;
  output: string;
  mime: string;
  bytes: Uint8Array;
  width: number;
  height: number;
}

/** A run's result as it crosses the process boundary: node output values stay in the worker (`promptCache`: this run's lookups). */
export type WorkerRunResult = Omit<RunResult, 'values'> & {
  inspect?: InspectThumbnail[];
  /** ONNX sessions the run had to load (cache misses): what model affinity saves (bench/affinity.ts). */
  modelLoads?: number;
};

export type WorkerToHost =
  | { type: 'ready'; workerId: string; provider: string; pid: number }
  | { type: 'event'; runId: string; event: RunEvent }
  /** Watched sampler steps' raw latents, in order, for the timeline (stored by the host, never broadcast). */
  | { type: 'step-latents'; runId: string; batch: StepBatch }
  | { type: 'done'; runId: string; result: WorkerRunResult }
  /** The worker cannot start (missing module, bad config); the host logs it and backs off. */
  | { type: 'fatal'; workerId: string; message: string }
  /**
   * `memory`: the worker's own account of its memory (metrics: stepflow_worker_memory_bytes); `promptCache`: its prompt
   * cache's totals since it started (admins see them in /api/health).
   */
  | { type: 'pong'; seq: number; memory?: WorkerMemory; promptCache?: PromptCacheTotals };

/**
 * How a forked worker sends several messages in one IPC write (worker/bundler.ts); the host unpacks it and checks
 * each message on its own. Not a WorkerToHost: a bundle never holds a bundle.
 */
export interface WorkerBundle {
  type: 'bundle';
  messages: WorkerToHost[];
}

/** Most messages in one bundle: a batch of MAX_BATCH runs reports a few per run per step. */
export const MAX_BUNDLE = 4096;

export interface WorkerMemory {
  /** Resident set size of the worker process. */
  rss: number;
  /** Bytes of the ONNX sessions it holds (OnnxRuntime's own accounting). */
  onnxSessions: number;
  /** Bytes in use on its CUDA device (nvidia-smi); absent on CPU. */
  gpu?: number;
}

/** Environment the host passes to each worker (everything else comes from its own process.env). */
export interface WorkerConfig {
  workerId: string;
  modelsDir: string;
  inputDirs: string[];
  provider: 'cpu' | 'cuda';
  /** CUDA device id (`npm run worker -- --device N`); 0 when unset. */
  cudaDeviceId?: number;
  cacheBytes: number;
  /** PROMPT_CACHE_BYTES: the prompt-embedding cache's budget (0 = off). */
  promptCacheBytes: number;
  modelBudgetBytes: number;
  /** ORT_SPIN_WAIT=1: ONNX Runtime's intra-op threads spin between operators (default: they sleep). */
  spinWait?: boolean;
  debugPauseTimeoutMs: number;
  /** MAX_IMAGE_PIXELS: nodes refuse larger outputs and decodes. */
  maxImagePixels: number;
  /** PREVIEW_FPS: live frames drawn per second per sampler; unset: every watched step (the host still throttles). */
  previewFps?: number;
  /** PREVIEW_STEPS: 'all' keeps every run's sampler steps for the timeline, watched or not; default 'watched'. */
  previewSteps?: 'watched' | 'all';
}

export const WORKER_CONFIG_ENV = 'STEPFLOW_WORKER_CONFIG';
