// Textual-inversion embeddings in prompts (ComfyUI's `embedding:name`, models/embeddings/<name>.safetensors): reading
// their vectors, and a text-encoder copy whose token table has them as extra rows (ids from the vocabulary size up).
// Extra rows rather than an inputs_embeds encoder: every input_ids export takes them, as LoRA merge edits weights.
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { readModel, writeModel, getInitializerFloat32, type ModelProto } from '../onnx/model-io';
import { tensorProto } from '../onnx/builder';
import { float32ToFloat16 } from '../runtime/float16';
import { readSafetensors } from '../runtime/safetensors';
import { ModelFormatError } from './errors';
export { embeddingFileName, embeddingNames } from '../text/embedding-refs';

const TOKEN_TABLE = 'text_model.embeddings.token_embedding.weight';

export interface TextualInversion {
  name: string;
  file: string;
  /** sha256 of the file: part of the prompt-cache key. */
  hash: string;
  /** [count, dim] row-major. */
  vectors: Float32Array;
  count: number;
  dim: number;
}

/**
 * A1111 (`emb_params`), the older `string_to_param.*` and SDXL-style `clip_l` layouts: one [n, dim] (or [dim]) tensor.
 * `preferred` (an SDXL encoder's `clip_l` / `clip_g`) is read when the file has it, as ComfyUI's embedding_key.
 */
export function readTextualInversion(name: string, file: string, preferred?: 'clip_l' | 'clip_g'): TextualInversion {
  const st = readSafetensors(file);
  const key = (preferred && st.names().includes(preferred) ? preferred : undefined)
    ?? st.names().find((k) => k === 'emb_params' || k.startsWith('string_to_param.') || k === 'clip_l');
  if (!key) {
    throw new ModelFormatError(file, `embedding "${name}" has none of the tensors emb_params, string_to_param.*, clip_l (it has: ${st.names().join(', ') || 'none'})`);
  }
  const shape = st.entry(key).shape;
  if (shape.length !== 1 && shape.length !== 2) throw new ModelFormatError(file, `embedding "${name}": ${key} has shape [${shape.join(', ')}], expected [vectors, width]`);
  const vectors = st.float32(key);
  const dim = shape[shape.length - 1];
  return { name, file, hash: createHash('sha256').update(fs.readFileSync(file)).digest('hex'), vectors, count: vectors.length / dim, dim };
}

/** Ops an id passes through unchanged in value on its way to the pooling's max (Optimum's view(-1, n) and int cast). */
const ID_PRESERVING = new Set(['Cast', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity']);

/**
 * Whether the export finds the end token as the largest id (transformers' CLIP pooling for configs with
 * eos_token_id 2, the original OpenAI and LAION ones: input_ids.argmax(-1)), rather than by comparing with the
 * end token's id: an ArgMax or ReduceMax reached from input_ids through value-preserving ops only.
 */
function poolsByLargestId(model: ModelProto): boolean {
  const nodes = model.graph?.node ?? [];
  const input = model.graph?.input?.find((i) => i.name === 'input_ids')?.name;
  if (!input) return false;
  const seen = new Set([input]);
  const queue = [input];
  while (queue.length) {
    const value = queue.shift()!;
    for (const n of nodes) {
      if (!n.input?.includes(value)) continue;
      if (n.opType === 'ArgMax' || n.opType === 'ReduceMax') return true;
      if (!ID_PRESERVING.has(n.opType ?? '')) continue;
      for (const o of n.output ?? []) {
        if (seen.has(o)) continue;
        seen.add(o);
        queue.push(o);
      }
    }
  }
  return false;
}

/**
 * The encoder model with each embedding's vectors appended to its token table, and the ids they got
 * (vocabulary size onward, in the order given). The table keeps its dtype; the vectors are stored in it.
 * An export that pools at the largest id would pool at an embedding's token instead of the end token (`eos`), so
 * it also gets a copy of the end token's row past the embeddings, and `eos` says which id to send in its place.
 */
export function withExtraTokens(encoderFile: string, embeddings: readonly TextualInversion[], eos?: number): { bytes: Uint8Array; ids: Map<string, number[]>; eos?: { from: number; to: number } } {
  const model: ModelProto = readModel(fs.readFileSync(encoderFile));
  const table = model.graph?.initializer?.find((t) => t.name === TOKEN_TABLE);
  if (!table) throw new ModelFormatError(encoderFile, `has no ${TOKEN_TABLE} initializer, so textual-inversion embeddings cannot be added to it`);
  const [vocab, dim] = (table.dims ?? []).map(Number);
  const rows = getInitializerFloat32(model, TOKEN_TABLE);
  const movedEos = eos !== undefined && eos < vocab && poolsByLargestId(model);
  const extra = embeddings.reduce((n, e) => n + e.count, 0) + (movedEos ? 1 : 0);
  const data = new Float32Array((vocab + extra) * dim);
  data.set(rows);
  const ids = new Map<string, number[]>();
  let next = vocab;
  for (const e of embeddings) {
    if (e.dim !== dim) throw new ModelFormatError(e.file, `embedding "${e.name}" has vectors of width ${e.dim}, but this text encoder's tokens have width ${dim}`);
    data.set(e.vectors, next * dim);
    ids.set(e.name, Array.from({ length: e.count }, (_, i) => next + i));
    next += e.count;
  }
  if (movedEos) data.copyWithin(next * dim, eos * dim, (eos + 1) * dim);
  const half = table.dataType === 10; // TensorProto.FLOAT16
  const replaced = tensorProto(TOKEN_TABLE, half ? float32ToFloat16(data) : data, [vocab + extra, dim], half ? 'float16' : 'float32');
  model.graph!.initializer = model.graph!.initializer!.map((t) => (t === table ? replaced : t));
  return { bytes: writeModel(model), ids, ...(movedEos ? { eos: { from: eos, to: next } } : {}) };
}
