// Sessions of LoRA-merged models, keyed by (base model content hash, [(LoRA content hash, strength)...]),
// so switching LoRA A -> B -> A merges twice and reuses A's session the third time.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { FileHasher } from '../engine/cache-key';
import { externalDataFiles, readModel } from '../onnx/model-io';
import type { FeedValue, ModelSession, OnnxRuntime, RunOutput } from '../runtime/onnx';
import type { LoraComponent } from './keys';
import { loadLoraFile } from './lora-file';
import { mergeLoras, type MergeReport } from './merge';
import { serialiseMerged } from './merged-model';

export interface LoraStackEntry {
  /** Name under models/loras, as the graph names it. */
  name: string;
  /** Resolved path of the .safetensors file. */
  file: string;
  strength: number;
}

export interface MergedSessionRequest {
  /** The base (un-merged) .onnx file; its external weights sit beside it. */
  onnxFile: string;
  component: LoraComponent;
  loras: readonly LoraStackEntry[];
}

export interface MergedSession {
  key: string;
  session: ModelSession;
  report: MergeReport;
}

/** What a model value needs of a session (OnnxUNet's DenoiserSession, OnnxClip's ClipSession). */
export type LoraSession = Pick<ModelSession, 'inputs' | 'outputs' | 'run' | 'key' | 'provider'>;

/**
 * A merged session that survives eviction. The runtime cannot reload an in-memory model, so a MODEL value
 * kept in the node cache would otherwise fail once the session budget pushed its session out; this handle
 * merges again (through the cache) on the next run instead.
 */
export class MergedSessionHandle implements LoraSession {
  #current: ModelSession;

  constructor(first: ModelSession, private readonly reacquire: () => Promise<ModelSession>) {
    this.#current = first;
  }

  get key(): string {
    return this.#current.key;
  }

  get inputs(): ModelSession['inputs'] {
    return this.#current.inputs;
  }

  get outputs(): ModelSession['outputs'] {
    return this.#current.outputs;
  }

  get provider(): ModelSession['provider'] {
    return this.#current.provider;
  }

  async run(feeds: Record<string, FeedValue>, opts: { signal?: AbortSignal } = {}): Promise<Record<string, RunOutput>> {
    if (this.#current.state !== 'loaded') this.#current = await this.reacquire();
    try {
      return await this.#current.run(feeds, opts);
    } catch (e) {
      // Evicted between the check and the run: merge again once.
      if (this.#current.state !== 'disposed') throw e;
      this.#current = await this.reacquire();
      return this.#current.run(feeds, opts);
    }
  }
}

/** Graph-only models (diffusers' unet/model.onnx) are read to find their side files; bigger ones hold their weights. */
const SCAN_LIMIT = 64 * 2 ** 20;

export class MergedSessionCache {
  /** Merges performed (each reads the base weights and the LoRA files). */
  merges = 0;
  /** Merged models handed to the runtime for a new session. */
  sessionLoads = 0;
  readonly #hasher: FileHasher;
  readonly #entries = new WeakMap<OnnxRuntime, Map<string, Promise<MergedSession>>>();
  readonly #sideFiles = new Map<string, { stamp: string; files: string[] }>();

  constructor(private readonly opts: { hasher?: FileHasher; inlineLimitBytes?: number } = {}) {
    this.#hasher = opts.hasher ?? new FileHasher();
  }

  /** A handle on the merged session that merges again whenever the runtime has dropped it. */
  async handle(runtime: OnnxRuntime, req: MergedSessionRequest): Promise<{ handle: MergedSessionHandle; report: MergeReport }> {
    const first = await this.session(runtime, req);
    const handle = new MergedSessionHandle(first.session, async () => (await this.session(runtime, req)).session);
    return { handle, report: first.report };
  }

  /** The runtime session key of a merge: content hashes, so a renamed or regenerated file keys correctly. */
  key(req: MergedSessionRequest): string {
    const h = createHash('sha256');
    for (const file of this.#baseFiles(req.onnxFile)) h.update(this.#hasher.hash(file)).update('\0');
    const loras = req.loras.map((l) => `${this.#hasher.hash(l.file).slice(0, 16)}@${l.strength}`).join('+');
    return `lora:${req.component}:${h.digest('hex').slice(0, 32)}:${loras}`;
  }

  /** The merged session, reused while the runtime keeps it loaded; merged again once it was evicted. */
  async session(runtime: OnnxRuntime, req: MergedSessionRequest): Promise<MergedSession> {
    const key = this.key(req);
    let byKey = this.#entries.get(runtime);
    if (!byKey) this.#entries.set(runtime, (byKey = new Map()));
    const existing = byKey.get(key);
    if (existing) {
      const entry = await existing.catch(() => undefined);
      if (entry && entry.session.state === 'loaded') return entry;
      if (byKey.get(key) !== existing) return this.session(runtime, req); // another caller is re-merging
    }
    const pending = this.#merge(runtime, key, req);
    byKey.set(key, pending);
    pending.then(() => this.#forgetDisposed(byKey), () => {
      if (byKey.get(key) === pending) byKey.delete(key);
    });
    return pending;
  }

  /** Drops entries whose sessions the runtime has let go of (each merge is a new strength or stack). */
  #forgetDisposed(byKey: Map<string, Promise<MergedSession>>): void {
    for (const [key, entry] of byKey) {
      void entry.then((e) => {
        if (e.session.state === 'disposed' && byKey.get(key) === entry) byKey.delete(key);
      }, () => undefined);
    }
  }

  async #merge(runtime: OnnxRuntime, key: string, req: MergedSessionRequest): Promise<MergedSession> {
    this.merges++;
    const baseDir = path.dirname(req.onnxFile);
    const model = readModel(fs.readFileSync(req.onnxFile));
    const stack = req.loras.map((l) => ({ name: l.name, strength: l.strength, lora: loadLoraFile(l.file) }));
    const report = mergeLoras(model, req.component, stack, baseDir);
    const source = serialiseMerged(model, baseDir, { inlineLimitBytes: this.opts.inlineLimitBytes });
    try {
      this.sessionLoads++;
      const session = await runtime.session(key, { bytes: source.bytes }, { externalDataDir: source.externalDataDir, bytesHint: source.bytesHint });
      return { key, session, report };
    } finally {
      source.cleanup();
    }
  }

  #baseFiles(onnxFile: string): string[] {
    const st = fs.statSync(onnxFile);
    const stamp = `${st.size}:${st.mtimeMs}`;
    const memo = this.#sideFiles.get(onnxFile);
    if (memo?.stamp === stamp) return memo.files;
    const files = st.size > SCAN_LIMIT
      ? [onnxFile]
      : [onnxFile, ...externalDataFiles(fs.readFileSync(onnxFile), path.dirname(onnxFile)).sort()];
    this.#sideFiles.set(onnxFile, { stamp, files });
    return files;
  }
}

/** The worker-wide cache the LoRA Loader node uses. */
export const mergedSessions = new MergedSessionCache();
