// The CLIP socket's value: tokenizer + text-encoder session -> conditioning. Long prompts run as
// several 77-token windows concatenated along the sequence (ComfyUI); emphasis uses the empty prompt.
// With a prompt cache (the worker's, per run) the same tokens through the same weights run once.
// CLIP skip (lastLayer < -1) reads an earlier hidden_states.N output through the final layer norm (clip-layers.ts).
import path from 'node:path';
import type { PromptLookup } from '../engine/prompt-cache';
import { mergedSessions } from '../lora/merged-sessions';
import type { ClipTokenizer, TokenChunk } from '../text';
import { outputFloat32, type FeedValue, type TensorInfo } from '../onnx/feeds';
import type { ModelSession, OnnxRuntime } from '../runtime/onnx';
import type { Tensor } from '../runtime/tensor';
import type { ClipModel, ConditioningValue } from '../values';
import { hiddenStateOutput, layerNormRows, readFinalLayerNorm, type LayerNormParams } from './clip-layers';
import { applyEmphasis, hasEmphasis } from './emphasis';
import { withExtraTokens, type TextualInversion } from './embeddings';
import { ModelFormatError, ModelInputError } from './errors';
import { batchLimit, optionalInput, requireInput } from './session-io';
import { sessionKey } from './session-key';

export type ClipSession = Pick<ModelSession, 'inputs' | 'outputs' | 'run' | 'key' | 'provider'>;

export interface ClipInfo {
  name: string;
  file: string;
  loras?: { name: string; strength: number }[];
  /**
   * Take an earlier layer's hidden state as it is, without the final layer norm: SDXL's and SD3's CLIP-L/G
   * penultimate layer (diffusers' hidden_states[-2]).
   */
  rawHidden?: boolean;
  /** ComfyUI's stop_at_clip_layer: -1 (default) the last layer, -2 the one before, … (CLIP skip). */
  lastLayer?: number;
  /**
   * Textual inversions in the session's token table: token ids per `embedding:` name, and their files' hashes; `eos`:
   * the end token's id is sent as `to` (a copy of its row past the embeddings, so pooling at the largest id finds it).
   */
  embeddings?: { ids: ReadonlyMap<string, readonly number[]>; key: string; eos?: { from: number; to: number } };
}

export class OnnxClip implements ClipModel {
  readonly kind = 'clip' as const;
  readonly name: string;
  readonly file: string;
  readonly provider: string;
  readonly loras: { name: string; strength: number }[];
  /** Windows the session takes per run (fixed-batch exports: 1). */
  readonly maxBatch: number;
  private readonly ids: TensorInfo;
  private readonly mask: TensorInfo | undefined;
  private readonly hiddenName: string;
  private readonly pooledName: string | undefined;
  /** Set when CLIP stops before the last layer: the hidden-state output read, and the final norm applied to it. */
  private readonly skip: { output: string; norm?: () => LayerNormParams } | undefined;
  private empty: Promise<Float32Array> | undefined;
  #weightsKey: string | undefined;

  constructor(readonly session: ClipSession, readonly tokenizer: ClipTokenizer, readonly info: ClipInfo) {
    this.name = info.name;
    this.file = info.file;
    this.provider = session.provider;
    this.loras = info.loras ?? [];
    this.ids = requireInput(session, ['input_ids', 'tokens', 'ids'], info.file, 'token id');
    this.mask = optionalInput(session, ['attention_mask']);
    const hidden = session.outputs.find((o) => o.name === 'last_hidden_state') ?? session.outputs.find((o) => o.dims.length === 3);
    if (!hidden) throw new ModelFormatError(info.file, `no [batch, tokens, dim] output (looked for last_hidden_state); outputs: ${session.outputs.map((o) => o.name).join(', ')}`);
    this.hiddenName = hidden.name;
    this.pooledName = session.outputs.find((o) => o.name === 'pooler_output' || o.name === 'text_embeds')?.name;
    this.maxBatch = batchLimit(this.ids);
    const last = info.lastLayer ?? -1;
    // A raw hidden state is read even at -1: SDXL's last layer as ComfyUI takes it, before the final norm.
    if (last < -1 || info.rawHidden) {
      let norm: LayerNormParams | undefined;
      this.skip = { output: hiddenStateOutput(session.outputs, last, info.file), norm: info.rawHidden ? undefined : () => (norm ??= readFinalLayerNorm(info.file)) };
    }
  }

  /**
   * The same encoder with textual-inversion vectors as extra rows of its token table (a session of its own, cached
   * by the runtime under the encoder and embedding files' hashes), so `embedding:name` in prompts reaches them.
   */
  async withEmbeddings(runtime: OnnxRuntime, embeddings: readonly TextualInversion[]): Promise<OnnxClip> {
    if (this.loras.length) {
      throw new ModelInputError(`CLIP "${this.name}"`, 'textual-inversion embeddings on a text encoder with a LoRA merged in are not supported yet; load the LoRA with strength_clip 0 or drop the embedding');
    }
    const key = embeddings.map((e) => `${e.name}=${e.hash.slice(0, 16)}`).join('+');
    // The edited copy is rebuilt per call (the ids come with it); the runtime loads a session only on a miss.
    const { bytes, ids, eos } = withExtraTokens(this.file, embeddings, this.tokenizer.eos);
    const session = await runtime.session(`${sessionKey('clip', this.file)}#ti:${key}`, { bytes }, { externalDataDir: path.dirname(this.file) });
    return new OnnxClip(session, this.tokenizer, { ...this.info, embeddings: { ids, key, ...(eos ? { eos } : {}) } });
  }

  /** The same encoder stopping at `layer` (-1 = last): ComfyUI's CLIP Set Last Layer. */
  withLastLayer(layer: number): OnnxClip {
    return new OnnxClip(this.session, this.tokenizer, { ...this.info, lastLayer: layer });
  }

  /** The same tokenizer and metadata on another session (a LoRA merged into the text encoder). */
  withSession(session: ClipSession, loras: { name: string; strength: number }[]): OnnxClip {
    return new OnnxClip(session, this.tokenizer, { ...this.info, loras });
  }

  /**
   * What the output depends on besides the tokens: content hashes of the encoder's files and of each merged LoRA
   * with its strength. A LoRA-merged session's key is exactly that (MergedSessionCache.key, the only maker of
   * the sessions withSession receives); the base encoder gets the same key with no LoRA.
   */
  weightsKey(): string {
    const weights = this.loras.length ? this.session.key : mergedSessions.key({ onnxFile: this.file, component: 'text_encoder', loras: [] });
    // Another layer is another output of the same weights.
    this.#weightsKey ??= weights + (this.skip ? `#${this.skip.output}${this.skip.norm ? '' : ':raw'}` : '') + (this.info.embeddings ? `#ti:${this.info.embeddings.key}` : '');
    return this.#weightsKey;
  }

  /** The weights key, or undefined when the encoder's files cannot be read now: the session still encodes from memory. */
  private cacheableWeightsKey(): string | undefined {
    try {
      return this.weightsKey();
    } catch {
      return undefined;
    }
  }

  async encode(prompt: string, signal?: AbortSignal, cache?: PromptLookup): Promise<ConditioningValue> {
    const { chunks, tokens } = this.tokenizer.encodeWeighted(prompt, this.info.embeddings?.ids);
    const encoder = cache && this.cacheableWeightsKey();
    const parts = encoder ? { encoder, chunks } : undefined;
    const hit = parts && cache?.get(parts);
    // The prompt and tokens are this call's: another spelling may have stored the same ids.
    if (hit) return { ...hit, prompt, tokens };
    const { hidden, pooled, dim } = await this.run(chunks, signal);
    const weights = chunks.flatMap((c) => c.weights);
    let data = hidden;
    if (hasEmphasis(weights)) data = applyEmphasis(hidden, await this.emptyHidden(signal), weights, dim);
    const embeddings: Tensor = { data, dims: [1, chunks.length * chunks[0].ids.length, dim] };
    if (parts) cache?.set(parts, pooled ? { embeddings, pooled } : { embeddings });
    return { embeddings, pooled, prompt, tokens };
  }

  /** Hidden states of the empty prompt (one window), computed once per model. */
  private emptyHidden(signal?: AbortSignal): Promise<Float32Array> {
    this.empty ??= this.run(this.tokenizer.encodeWeighted('').chunks, signal).then((r) => r.hidden);
    this.empty.catch(() => (this.empty = undefined));
    return this.empty;
  }

  /** Runs the windows (batched as far as the session allows) and concatenates their hidden states. */
  private async run(chunks: TokenChunk[], signal?: AbortSignal): Promise<{ hidden: Float32Array; pooled?: Tensor; dim: number }> {
    const parts: Float32Array[] = [];
    let pooled: Tensor | undefined;
    let dim = 0;
    for (let start = 0; start < chunks.length; start += Math.min(this.maxBatch, chunks.length)) {
      const group = chunks.slice(start, start + Math.min(this.maxBatch, chunks.length));
      const n = group.length;
      const len = group[0].ids.length;
      const eos = this.info.embeddings?.eos;
      const ids = Int32Array.from(group.flatMap((c) => (eos ? c.ids.map((id) => (id === eos.from ? eos.to : id)) : c.ids)));
      const feeds: Record<string, FeedValue> = { [this.ids.name]: { data: ids, dims: [n, len] } };
      if (this.mask) feeds[this.mask.name] = { data: new Int32Array(n * len).fill(1), dims: [n, len] };
      const out = await this.session.run(feeds, { signal });
      const hidden = out[this.skip?.output ?? this.hiddenName];
      dim = hidden.dims[2];
      parts.push(this.skip?.norm ? layerNormRows(outputFloat32(hidden), dim, this.skip.norm()) : outputFloat32(hidden));
      if (start === 0 && this.pooledName && out[this.pooledName]) {
        const p = out[this.pooledName];
        const width = p.dims[p.dims.length - 1];
        pooled = { data: outputFloat32(p).slice(0, width), dims: [1, width] };
      }
    }
    const hidden = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      hidden.set(p, o);
      o += p.length;
    }
    return { hidden, pooled, dim };
  }
}

export async function loadClip(runtime: OnnxRuntime, tokenizer: ClipTokenizer, info: ClipInfo): Promise<OnnxClip> {
  const session = await runtime.session(sessionKey('clip', info.file), { path: info.file });
  return new OnnxClip(session, tokenizer, info);
}
