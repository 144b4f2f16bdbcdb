// The T5 encoder of SD3 (text_encoder_3/) and Flux (text_encoder_2/) folders: the prompt tokenized by the folder's
// tokenizer.json, padded or truncated to max_sequence_length (SD3 256, Flux 512), run as one sequence, and its
// last_hidden_state returned [1, length, width]. No attention mask reaches the encoder in diffusers' pipelines
// (padding positions are encoded too), so an export that takes attention_mask gets ones everywhere.
import type { PromptLookup } from '../engine/prompt-cache';
import { mergedSessions } from '../lora/merged-sessions';
import { outputFloat32, type FeedValue, type TensorInfo } from '../onnx/feeds';
import type { ModelSession, OnnxRuntime } from '../runtime/onnx';
import type { Tensor } from '../runtime/tensor';
import type { T5Tokenizer } from '../text';
import { ModelFormatError } from './errors';
import { optionalInput, requireInput } from './session-io';
import { sessionKey } from './session-key';

export type T5Session = Pick<ModelSession, 'inputs' | 'outputs' | 'run' | 'key' | 'provider'>;

export interface T5Info {
  file: string;
  /** Tokens per prompt (max_sequence_length). */
  length: number;
  /** The width the transformer reads (joint_attention_dim). */
  width: number;
}

export class OnnxT5 {
  private readonly ids: TensorInfo;
  private readonly mask: TensorInfo | undefined;
  private readonly hiddenName: string;
  #weightsKey: string | undefined;

  constructor(readonly session: T5Session, readonly tokenizer: T5Tokenizer, readonly info: T5Info) {
    this.ids = requireInput(session, ['input_ids'], info.file, 'token id');
    this.mask = optionalInput(session, ['attention_mask']);
    const hidden = session.outputs.find((o) => o.name === 'last_hidden_state') ?? session.outputs.find((o) => o.dims.length === 3);
    if (!hidden) throw new ModelFormatError(info.file, `no [batch, tokens, dim] output (looked for last_hidden_state); outputs: ${session.outputs.map((o) => o.name).join(', ')}`);
    this.hiddenName = hidden.name;
    const fixedLength = this.ids.dims[1];
    if (typeof fixedLength === 'number' && fixedLength > 0 && fixedLength !== info.length) {
      throw new ModelFormatError(info.file, `takes ${fixedLength} tokens, but the pipeline pads T5 prompts to ${info.length} (max_sequence_length)`);
    }
    const width = hidden.dims[2];
    if (typeof width === 'number' && width !== info.width) {
      throw new ModelFormatError(info.file, `gives ${width}-wide states, but the transformer's joint_attention_dim is ${info.width}`);
    }
  }

  /** Content hashes of the encoder's files (no LoRA reaches T5), for the prompt cache. */
  weightsKey(): string {
    this.#weightsKey ??= `${mergedSessions.key({ onnxFile: this.info.file, component: 'text_encoder', loras: [] })}#t5`;
    return this.#weightsKey;
  }

  /** The padded ids the encoder takes for `prompt`. */
  tokens(prompt: string): number[] {
    return this.tokenizer.encode(prompt, this.info.length).ids;
  }

  async encode(prompt: string, signal?: AbortSignal, cache?: PromptLookup): Promise<Tensor> {
    const ids = this.tokens(prompt);
    const parts = cache && { encoder: this.weightsKey(), chunks: [{ ids, weights: ids.map(() => 1) }] };
    const hit = parts && cache?.get(parts);
    if (hit) return hit.embeddings;
    const n = ids.length;
    const feeds: Record<string, FeedValue> = { [this.ids.name]: { data: Int32Array.from(ids), dims: [1, n] } };
    if (this.mask) feeds[this.mask.name] = { data: new Int32Array(n).fill(1), dims: [1, n] };
    const out = (await this.session.run(feeds, { signal }))[this.hiddenName];
    if (out.dims[2] !== this.info.width) {
      throw new ModelFormatError(this.info.file, `gave ${out.dims[2]}-wide states, but the transformer's joint_attention_dim is ${this.info.width}`);
    }
    const embeddings: Tensor = { data: outputFloat32(out), dims: [1, n, this.info.width] };
    if (parts) cache?.set(parts, { embeddings });
    return embeddings;
  }
}

export async function loadT5(runtime: OnnxRuntime, tokenizer: T5Tokenizer, info: T5Info): Promise<OnnxT5> {
  const session = await runtime.session(sessionKey('t5', info.file), { path: info.file });
  return new OnnxT5(session, tokenizer, info);
}
