// The CLIP socket of SD3 and Flux checkpoints: several text encoders behind one ClipModel, combined as diffusers'
// pipelines do. SD3 (StableDiffusion3Pipeline.encode_prompt): CLIP-L and CLIP-G penultimate hidden states (no final
// norm) concatenated on features, zero-padded to the T5 width, then T5's tokens appended along the sequence (zeros
// when there is no T5); pooled = [CLIP-L text_embeds, CLIP-G text_embeds]. Flux (FluxPipeline.encode_prompt):
// hidden states are T5's (zeros without one), pooled = CLIP-L's pooler_output. T5 (t5.ts) reads the prompt as
// diffusers does: the text as typed, without StepFlow's emphasis syntax parsed (its weights reach CLIP only).
import fs from 'node:fs';
import path from 'node:path';
import type { PromptLookup } from '../engine/prompt-cache';
import type { OnnxRuntime } from '../runtime/onnx';
import type { Tensor } from '../runtime/tensor';
import { T5Tokenizer, tokenizerForFolder, type ClipTokenizer } from '../text';
import type { ClipModel, ConditioningValue } from '../values';
import { loadClip, type OnnxClip } from './clip';
import type { CheckpointFolder } from './diffusers-folder';
import { ModelFormatError, ModelInputError } from './errors';
import { loadT5, type OnnxT5 } from './t5';

/** The pipelines' default max_sequence_length: T5 tokens per prompt, zeros of that length without a T5. */
export const T5_TOKENS = { sd3: 256, flux: 512 } as const;

export interface FlowPromptParts {
  pipeline: 'sd3' | 'flux';
  /** CLIP-L (SD3: text_embeds; Flux: pooler_output). */
  clipL: OnnxClip;
  /** SD3's CLIP-G. */
  clipG?: OnnxClip;
  /** transformer/config.json joint_attention_dim: the T5 width. */
  contextWidth: number;
  /** T5 tokens per prompt (max_sequence_length). */
  t5Tokens: number;
  /** The folder's T5 encoder (SD3: text_encoder_3/, Flux: text_encoder_2/); zeros in its place without one. */
  t5?: OnnxT5;
}

export class FlowPromptEncoder implements ClipModel {
  readonly kind = 'clip' as const;
  readonly name: string;
  readonly file: string;
  readonly provider: string;
  readonly loras: { name: string; strength: number }[] = [];

  constructor(readonly parts: FlowPromptParts) {
    this.name = parts.clipL.name;
    this.file = parts.clipL.file;
    this.provider = parts.clipL.provider;
  }

  async encode(prompt: string, signal?: AbortSignal, cache?: PromptLookup): Promise<ConditioningValue> {
    const { pipeline, clipL, clipG, contextWidth: width, t5Tokens } = this.parts;
    const l = await clipL.encode(prompt, signal, cache);
    if (!l.pooled) throw new ModelFormatError(clipL.file, `has no pooled output (text_embeds or pooler_output), which ${pipeline === 'sd3' ? 'SD3' : 'Flux'} needs`);
    const t5 = this.parts.t5 ? (await this.parts.t5.encode(prompt, signal, cache)).data : new Float32Array(t5Tokens * width);
    if (pipeline === 'flux') {
      return { embeddings: { data: t5, dims: [1, t5Tokens, width] }, pooled: l.pooled, prompt, tokens: l.tokens };
    }
    const g = await clipG!.encode(prompt, signal, cache);
    if (!g.pooled) throw new ModelFormatError(clipG!.file, 'has no pooled output (text_embeds), which SD3 needs');
    const clip = concatFeatures(l.embeddings, g.embeddings, width);
    const tokens = clip.dims[1] + t5Tokens;
    const data = new Float32Array(tokens * width);
    data.set(clip.data);
    data.set(t5, clip.data.length);
    const pooled = concatFeatures(l.pooled, g.pooled, l.pooled.dims[1] + g.pooled.dims[1]);
    return { embeddings: { data, dims: [1, tokens, width] }, pooled, prompt, tokens: l.tokens };
  }
}

/** [..rows, a] and [..rows, b] -> [..rows, width] = [a | b | zeros]: the same rows side by side, zero-padded. */
export function concatFeatures(a: Tensor, b: Tensor, width: number): Tensor {
  const wa = a.dims[a.dims.length - 1];
  const wb = b.dims[b.dims.length - 1];
  const rows = a.data.length / wa;
  if (b.data.length / wb !== rows) {
    throw new ModelInputError('SD3 text encoders', `CLIP-L gave ${rows} tokens but CLIP-G ${b.data.length / wb}; both must use the same windows`);
  }
  if (wa + wb > width) throw new ModelInputError('SD3 text encoders', `CLIP-L (${wa}) + CLIP-G (${wb}) features exceed the transformer's joint_attention_dim ${width}`);
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    out.set(a.data.subarray(r * wa, (r + 1) * wa), r * width);
    out.set(b.data.subarray(r * wb, (r + 1) * wb), r * width + wa);
  }
  return { data: out, dims: [...a.dims.slice(0, -1), width] };
}

/**
 * The transformer's inputs must match the pipeline model_index.json names: SD3 takes pooled_projections, Flux also
 * img_ids and txt_ids; a Flux transformer in an SD3 folder (or the reverse) would get conditioning it cannot read.
 */
export function checkPipelineInputs(folder: CheckpointFolder, inputs: readonly { name: string }[]): void {
  if (!folder.pipeline) return;
  const names = new Set(inputs.map((i) => i.name));
  const need = folder.pipeline === 'flux' ? ['pooled_projections', 'img_ids', 'txt_ids'] : ['pooled_projections'];
  const missing = need.filter((n) => !names.has(n));
  const extra = folder.pipeline === 'sd3' ? ['img_ids', 'txt_ids', 'guidance'].filter((n) => names.has(n)) : [];
  const pipeline = String(folder.modelIndex._class_name);
  if (missing.length) throw new ModelFormatError(folder.files.denoiser, `has no ${missing.join(', ')} input, which a ${pipeline} transformer takes`);
  if (extra.length) throw new ModelFormatError(folder.files.denoiser, `has Flux inputs ${extra.join(', ')}, but model_index.json names ${pipeline}`);
}

/** The CLIP socket value of an SD3/Flux folder (folder.pipeline set). */
export async function loadFlowPrompt(runtime: OnnxRuntime, folder: CheckpointFolder, tokenizer: ClipTokenizer): Promise<FlowPromptEncoder> {
  const pipeline = folder.pipeline!;
  const configFile = path.join(folder.dir, 'transformer', 'config.json');
  const width = folder.transformerConfig?.joint_attention_dim;
  if (typeof width !== 'number' || !Number.isInteger(width) || width <= 0) {
    throw new ModelFormatError(configFile, `needs a positive integer "joint_attention_dim" (the T5 width the ${pipeline === 'sd3' ? 'SD3' : 'Flux'} prompt is laid out in), got ${JSON.stringify(width)}`);
  }
  // SD3 reads CLIP-L/G's penultimate layer as it is; Flux only CLIP-L's pooled output (the last layer's).
  const clipOpts = pipeline === 'sd3' ? { lastLayer: -2, rawHidden: true } : {};
  const clipL = await loadClip(runtime, tokenizer, { name: folder.name, file: folder.files.textEncoder, ...clipOpts });
  const clipG = pipeline === 'sd3'
    ? await loadClip(runtime, folder.files.tokenizer2 ? tokenizerForFolder(folder.files.tokenizer2) : tokenizer, { name: `${folder.name} (CLIP-G)`, file: folder.files.textEncoder2!, ...clipOpts })
    : undefined;
  const t5Tokens = folder.maxSequenceLength ?? T5_TOKENS[pipeline];
  const t5File = pipeline === 'sd3' ? folder.files.textEncoder3 : folder.files.textEncoder2;
  const t5 = t5File && folder.files.t5Tokenizer
    ? await loadT5(runtime, t5TokenizerFor(folder.files.t5Tokenizer), { file: t5File, length: t5Tokens, width })
    : undefined;
  return new FlowPromptEncoder({ pipeline, clipL, clipG, contextWidth: width, t5Tokens, ...(t5 ? { t5 } : {}) });
}

const t5Tokenizers = new Map<string, { stamp: string; tokenizer: T5Tokenizer }>();

/** One parsed tokenizer.json per file and version (a real T5's is 2.4 MB of JSON), as tokenizerForFolder keeps CLIP's. */
function t5TokenizerFor(file: string): T5Tokenizer {
  const st = fs.statSync(file);
  const stamp = `${st.size}:${st.mtimeMs}`;
  const known = t5Tokenizers.get(file);
  if (known?.stamp === stamp) return known.tokenizer;
  const tokenizer = T5Tokenizer.fromFile(file);
  t5Tokenizers.set(file, { stamp, tokenizer });
  return tokenizer;
}
