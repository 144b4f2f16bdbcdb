// The one owner of onnxruntime-node: execution-provider choice, threads, a byte-budgeted LRU of sessions,
// feed/output dtype conversion (via nodes/onnx/feeds) and run timing. Nothing else imports onnxruntime-node, and only
// worker-side code imports this module by value: the web process must not load the runtime (server/web-process.test.ts).
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { convertOutput, prepareFeeds, runError, OnnxRunError, type FeedValue, type RunOutput, type TensorInfo, type TensorType, type OutputData } from '../onnx/feeds';
import { externalDataFiles } from '../onnx/model-io';
import { GraphBuilder } from '../onnx/builder';
import { beforeNativeCall } from './native-calls';

// For worker-side callers and tests; code the web process loads imports these from nodes/onnx/feeds itself.
export type { FeedValue, RunOutput, TensorType, TensorInfo, FeedData, OutputData } from '../onnx/feeds';
export { outputFloat32, OnnxRunError } from '../onnx/feeds';

// Failures reach callers as OnnxLoadError/OnnxRunError and warnings; ORT's own stderr lines would repeat them.
ort.env.logLevel = 'fatal';

export type Provider = 'cpu' | 'cuda';

export interface RuntimeConfig {
  provider: Provider;
  /** Threads inside one operator; default: every core. */
  intraOpThreads?: number;
  /**
   * Let those threads spin between operators (ORT's own default). Off here: a spinning pool kept a core busy while
   * the sampler's JavaScript ran, which the web process on the same machine needed.
   */
  spinWait?: boolean;
  /** Upper bound for the summed size of loaded sessions (model + external weights). */
  budgetBytes: number;
  cudaDeviceId?: number;
  /** Where warnings go (CUDA fallback, over-budget loads); default console.warn. */
  onWarning?: (message: string) => void;
}

export type ModelSource = { path: string } | { bytes: Uint8Array };

export interface SessionOptions {
  /** Folder of the external weights when the model comes as bytes (a merged LoRA copy of unet/model.onnx). */
  externalDataDir?: string;
  /** Memory the session accounts for; default: model size plus its external data files. */
  bytesHint?: number;
}

export class OnnxLoadError extends Error {
  readonly code = 'onnx_load';
  constructor(readonly modelKey: string, readonly source: string, message: string, options?: { cause?: unknown }) {
    super(`cannot load model "${modelKey}" from ${source}: ${message}`, options);
    this.name = 'OnnxLoadError';
  }
}

/** What a ModelSession needs from the runtime that loaded it. */
interface SessionHost {
  touch(s: ModelSession): void;
  addOrtMs(ms: number): void;
  reload(s: ModelSession): Promise<void>;
  forget(s: ModelSession): void;
}

type SessionState = 'loaded' | 'evicted' | 'disposed';

function infoOf(meta: readonly ort.InferenceSession.ValueMetadata[]): TensorInfo[] {
  return meta.map((m) => (m.isTensor ? { name: m.name, type: m.type as TensorType, dims: [...m.shape] } : { name: m.name, type: 'non-tensor', dims: [] }));
}

export class ModelSession {
  readonly inputs: TensorInfo[];
  readonly outputs: TensorInfo[];
  #ort: ort.InferenceSession | null;
  #state: SessionState = 'loaded';
  #running = 0;
  /** ORT sessions let go of while a run still used them; released when the session is idle. */
  readonly #retired: ort.InferenceSession[] = [];
  #reloading: Promise<void> | null = null;
  #goneReason = 'the session was disposed';
  /** LRU clock value of the last use. */
  lastUsed = 0;

  constructor(
    readonly key: string,
    session: ort.InferenceSession,
    readonly bytes: number,
    public provider: Provider,
    public source: ModelSource,
    private readonly host: SessionHost,
  ) {
    this.#ort = session;
    this.inputs = infoOf(session.inputMetadata);
    this.outputs = infoOf(session.outputMetadata);
  }

  get state(): SessionState {
    return this.#state;
  }

  get running(): boolean {
    return this.#running > 0;
  }

  async run(feeds: Record<string, FeedValue>, opts: { signal?: AbortSignal } = {}): Promise<Record<string, RunOutput>> {
    if (this.#state === 'disposed') throw new OnnxRunError(this.key, `${this.#goneReason}; load the model again with runtime.session()`);
    opts.signal?.throwIfAborted();
    if (this.#state === 'evicted') {
      this.#reloading ??= this.host.reload(this).finally(() => (this.#reloading = null));
      await this.#reloading;
      opts.signal?.throwIfAborted();
    }
    const ortFeeds = this.#prepare(feeds);
    const session = this.#ort;
    if (!session) throw new OnnxRunError(this.key, 'the session was evicted again before it could run; raise the session memory budget');
    this.#running++;
    this.host.touch(this);
    beforeNativeCall();
    const t0 = performance.now();
    let raw: ort.InferenceSession.ReturnType;
    try {
      raw = await session.run(ortFeeds);
    } catch (e) {
      throw runError(this.key, this.inputs, feeds, e instanceof Error ? e.message : String(e), e);
    } finally {
      this.host.addOrtMs(performance.now() - t0);
      this.#running--;
      if (this.#running === 0 && this.#retired.length) void this.#releaseOrt();
    }
    const out: Record<string, RunOutput> = {};
    for (const [name, t] of Object.entries(raw)) {
      const tensor = t as ort.Tensor;
      const type = tensor.type as TensorType;
      out[name] = { type, dims: [...tensor.dims], data: convertOutput(type, tensor.data as OutputData) };
    }
    return out;
  }

  /** Frees the ORT session for good; a run in progress finishes first. */
  async dispose(): Promise<void> {
    if (this.#state === 'disposed') return;
    this.#state = 'disposed';
    this.host.forget(this);
    await this.#releaseOrt();
  }

  /** Frees ORT memory; a later run reloads from a path source (a bytes source cannot be re-read). */
  async evict(): Promise<void> {
    if (this.#state !== 'loaded') return;
    this.#state = 'path' in this.source ? 'evicted' : 'disposed';
    if (this.#state === 'disposed') {
      this.#goneReason = 'the session was evicted from the session cache (memory budget) and its in-memory model cannot be re-read';
      this.host.forget(this);
    }
    await this.#releaseOrt();
  }

  /** @internal the runtime hands a freshly loaded ORT session to an evicted ModelSession. */
  attach(session: ort.InferenceSession, provider: Provider, source: ModelSource): void {
    this.#ort = session;
    this.source = source;
    this.provider = provider;
    this.#state = 'loaded';
  }

  /** Drops the ORT session now and frees it once no run uses it (a run never loses its session midway). */
  async #releaseOrt(): Promise<void> {
    if (this.#ort) this.#retired.push(this.#ort);
    this.#ort = null;
    if (this.#running > 0) return;
    await Promise.all(this.#retired.splice(0).map((s) => s.release()));
  }

  #prepare(feeds: Record<string, FeedValue>): Record<string, ort.Tensor> {
    const out: Record<string, ort.Tensor> = {};
    for (const [name, f] of Object.entries(prepareFeeds(this.key, this.inputs, feeds))) {
      out[name] = new ort.Tensor(f.type as 'float32', f.data as Float32Array, f.dims);
    }
    return out;
  }
}

export class OnnxRuntime {
  #provider: Provider;
  readonly #threads: number;
  readonly #spinWait: boolean;
  readonly #budget: number;
  readonly #warn: (m: string) => void;
  readonly #sessions = new Map<string, ModelSession>();
  readonly #loading = new Map<string, Promise<ModelSession>>();
  readonly #warnings: string[] = [];
  #reserved = 0;
  #probed = false;
  #clock = 0;
  #hits = 0;
  #misses = 0;
  #ortMs = 0;

  constructor(readonly config: RuntimeConfig) {
    this.#provider = config.provider;
    this.#threads = config.intraOpThreads ?? os.availableParallelism();
    this.#spinWait = config.spinWait ?? false;
    this.#budget = config.budgetBytes;
    this.#warn = config.onWarning ?? ((m) => console.warn(`[onnx] ${m}`));
  }

  /**
   * The execution provider sessions actually get (cpu after a failed CUDA start). Until the first load
   * or `ready()`, a configured 'cuda' is only a wish.
   */
  get provider(): Provider {
    return this.#provider;
  }

  /** Settles the provider by loading a one-node model, so a worker can report it before any run. */
  async ready(): Promise<Provider> {
    if (this.#provider === 'cpu' || this.#probed) return this.#provider;
    this.#probed = true;
    const g = new GraphBuilder('probe');
    g.output(g.input('x', 'float32', [1]), 'y', 'float32', [1]);
    const { session } = await this.#create('provider-probe', { bytes: g.toBytes() }, 'a built-in probe model', {});
    await session.release();
    return this.#provider;
  }

  /** Milliseconds spent inside session.run since this runtime was created. */
  get ortMs(): number {
    return this.#ortMs;
  }

  get warnings(): readonly string[] {
    return this.#warnings;
  }

  has(key: string): boolean {
    return this.#sessions.get(key)?.state === 'loaded';
  }

  stats(): { sessions: number; bytes: number; budgetBytes: number; hits: number; misses: number } {
    const loaded = [...this.#sessions.values()].filter((s) => s.state === 'loaded');
    return { sessions: loaded.length, bytes: this.#usedBytes(), budgetBytes: this.#budget, hits: this.#hits, misses: this.#misses };
  }

  /** The session cached under `key`, loading `source` on a miss. Concurrent calls share one load. */
  async session(key: string, source: ModelSource, opts: SessionOptions = {}): Promise<ModelSession> {
    const cached = this.#sessions.get(key);
    if (cached?.state === 'loaded') {
      this.#hits++;
      this.#touch(cached);
      return cached;
    }
    const pending = this.#loading.get(key);
    if (pending) {
      this.#hits++;
      return pending;
    }
    this.#misses++;
    const load = this.#load(key, source, opts, cached).finally(() => this.#loading.delete(key));
    this.#loading.set(key, load);
    return load;
  }

  async evict(key: string): Promise<void> {
    await this.#sessions.get(key)?.evict();
  }

  async dispose(): Promise<void> {
    await Promise.allSettled([...this.#loading.values()]);
    await Promise.all([...this.#sessions.values()].map((s) => s.dispose()));
    this.#sessions.clear();
  }

  #touch(s: ModelSession): void {
    s.lastUsed = ++this.#clock;
  }

  async #load(key: string, source: ModelSource, opts: SessionOptions, existing?: ModelSession): Promise<ModelSession> {
    const where = 'path' in source ? source.path : `${source.bytes.byteLength} bytes in memory`;
    if ('path' in source && !fs.existsSync(source.path)) throw new OnnxLoadError(key, where, 'the file does not exist');
    const bytes = opts.bytesHint ?? this.#measure(source, opts.externalDataDir);
    await this.#makeRoom(key, bytes);
    this.#reserved += bytes;
    try {
      const { session, provider } = await this.#create(key, source, where, opts);
      const host = this.#host();
      const s = existing && existing.state === 'evicted' ? existing : new ModelSession(key, session, bytes, provider, source, host);
      if (s === existing) s.attach(session, provider, source);
      this.#sessions.set(key, s);
      this.#touch(s);
      return s;
    } finally {
      this.#reserved -= bytes;
    }
  }

  async #create(key: string, source: ModelSource, where: string, opts: SessionOptions): Promise<{ session: ort.InferenceSession; provider: Provider }> {
    const options: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: this.#threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 4,
      executionProviders: ['cpu'],
      extra: {
        session: {
          intra_op: { allow_spinning: this.#spinWait ? '1' : '0' },
          // ORT resolves external weights next to a model file, but for in-memory bytes it must be told where.
          ...('bytes' in source && opts.externalDataDir ? { model_external_initializers_file_folder_path: path.resolve(opts.externalDataDir) } : {}),
        },
      },
    };
    const create = (o: ort.InferenceSession.SessionOptions) =>
      'path' in source ? ort.InferenceSession.create(source.path, o) : ort.InferenceSession.create(source.bytes, o);
    if (this.#provider === 'cuda') {
      try {
        const session = await create({ ...options, executionProviders: [{ name: 'cuda', deviceId: this.config.cudaDeviceId ?? 0 }, 'cpu'] });
        return { session, provider: 'cuda' };
      } catch (e) {
        this.#provider = 'cpu';
        this.#warning(`CUDA execution provider unavailable, running on CPU (${e instanceof Error ? e.message : e}). ` +
          'Install onnxruntime-node with ONNXRUNTIME_NODE_INSTALL=cuda12 on a GPU host.');
      }
    }
    try {
      return { session: await create(options), provider: 'cpu' };
    } catch (e) {
      throw new OnnxLoadError(key, where, e instanceof Error ? e.message : String(e), { cause: e });
    }
  }

  /** Evicts least-recently-used idle sessions until `need` bytes fit the budget. */
  async #makeRoom(key: string, need: number): Promise<void> {
    const idle = [...this.#sessions.values()]
      .filter((s) => s.state === 'loaded' && !s.running && s.key !== key)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    for (const s of idle) {
      if (this.#usedBytes() + need <= this.#budget) break;
      await s.evict();
    }
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
    if (need > this.#budget) {
      this.#warning(`model "${key}" (${mb(need)}) is larger than the session budget (${mb(this.#budget)}); it is loaded alone`);
    } else if (this.#usedBytes() + need > this.#budget) {
      this.#warning(`loading model "${key}" (${mb(need)}) exceeds the session budget (${mb(this.#budget)}) while other models are running`);
    }
  }

  #usedBytes(): number {
    let used = this.#reserved;
    for (const s of this.#sessions.values()) if (s.state === 'loaded') used += s.bytes;
    return used;
  }

  /** Model bytes plus the external weight files it names (scanned only in small, graph-only files). */
  #measure(source: ModelSource, externalDataDir?: string): number {
    const SCAN_LIMIT = 64 * 2 ** 20;
    const size = 'path' in source ? fs.statSync(source.path).size : source.bytes.byteLength;
    const baseDir = 'path' in source ? path.dirname(source.path) : externalDataDir;
    if (!baseDir || size > SCAN_LIMIT) return size;
    try {
      const bytes = 'path' in source ? fs.readFileSync(source.path) : source.bytes;
      return size + externalDataFiles(bytes, baseDir).reduce((n, f) => n + fileSize(f), 0);
    } catch {
      return size; // not a readable model: ORT's load reports why
    }
  }

  #warning(message: string): void {
    if (this.#warnings.length < 100) this.#warnings.push(message);
    this.#warn(message);
  }

  #host(): SessionHost {
    return {
      touch: (s) => this.#touch(s),
      addOrtMs: (ms) => (this.#ortMs += ms),
      reload: async (s) => {
        await this.session(s.key, s.source, { bytesHint: s.bytes });
      },
      forget: (s) => {
        if (this.#sessions.get(s.key) === s) this.#sessions.delete(s.key);
      },
    };
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
