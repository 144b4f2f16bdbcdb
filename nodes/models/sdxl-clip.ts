// The CLIP socket's value for SDXL: text_encoder (CLIP-L) and text_encoder_2 (OpenCLIP-G), each read at its
// penultimate layer without the final norm (diffusers: hidden_states[-2]), concatenated along the feature axis, and
// the pooled text_embeds of encoder 2. The refiner has encoder 2 only. Each encoder keeps its own prompt-cache entry.
// As ComfyUI's SDXLClipModel: CLIP Set Last Layer moves both encoders to the same layer (still without the final
// norm; the pooled output stays the last layer's), `embedding:name` puts an embedding file's clip_l tensor in CLIP-L's
// token table and clip_g in CLIP-G's, and CLIPTextEncodeSDXL's text_l/text_g feed CLIP-L/CLIP-G separately.
import type { PromptLookup } from '../engine/prompt-cache';
import type { OnnxRuntime } from '../runtime/onnx';
import type { Tensor } from '../runtime/tensor';
import type { ClipModel, ConditioningValue } from '../values';
import type { OnnxClip } from './clip';
import { readTextualInversion, type TextualInversion } from './embeddings';
import { ModelFormatError, ModelInputError } from './errors';

/** diffusers' SDXL pipelines read hidden_states[-2]: the output of the layer before the last. */
export const SDXL_CLIP_LAYER = -2;

export class SdxlClip implements ClipModel {
  readonly kind = 'clip' as const;
  readonly name: string;
  readonly file: string;
  readonly provider: string;
  readonly loras: { name: string; strength: number }[];

  /** `first` (CLIP-L) is absent for the refiner. Both must read SDXL_CLIP_LAYER without the final norm. */
  constructor(readonly first: OnnxClip | undefined, readonly second: OnnxClip) {
    this.name = second.name;
    this.file = second.file;
    this.provider = second.provider;
    // What was merged, whichever encoder took it (a LoRA may patch only one of them).
    this.loras = second.loras.length >= (first?.loras.length ?? 0) ? second.loras : first!.loras;
  }

  /** The same encoders on other sessions (a LoRA merged into them). */
  withEncoders(first: OnnxClip | undefined, second: OnnxClip): SdxlClip {
    return new SdxlClip(first, second);
  }

  /** ComfyUI's CLIPSetLastLayer on SDXL: both encoders at `layer` (-1 = the last layer's output, -2 = the default). */
  withLastLayer(layer: number): SdxlClip {
    return new SdxlClip(this.first?.withLastLayer(layer), this.second.withLastLayer(layer));
  }

  /**
   * Each encoder with its own vectors of the embeddings: an SDXL embedding file's clip_l tensor for CLIP-L and
   * clip_g for CLIP-G (ComfyUI's embedding_key per tokenizer); a file without them gives its one tensor to both,
   * and an encoder whose width it does not have names the file.
   */
  async withEmbeddings(runtime: OnnxRuntime, embeddings: readonly TextualInversion[]): Promise<SdxlClip> {
    const forEncoder = (key: 'clip_l' | 'clip_g') => embeddings.map((e) => readTextualInversion(e.name, e.file, key));
    const g = forEncoder('clip_g');
    let first: OnnxClip | undefined;
    if (this.first) {
      const l = forEncoder('clip_l');
      // Both encoders must give a prompt as many tokens, or their states cannot sit side by side.
      l.forEach((e, i) => {
        if (e.count !== g[i].count) throw new ModelFormatError(e.file, `embedding "${e.name}" has ${e.count} CLIP-L vectors but ${g[i].count} CLIP-G vectors; SDXL needs as many of each`);
      });
      first = await this.first.withEmbeddings(runtime, l);
    }
    return new SdxlClip(first, await this.second.withEmbeddings(runtime, g));
  }

  encode(prompt: string, signal?: AbortSignal, cache?: PromptLookup): Promise<ConditioningValue> {
    return this.encodeSdxl(prompt, prompt, signal, cache);
  }

  /**
   * `textG` through CLIP-G (its pooled output too) and `textL` through CLIP-L. Prompts of unequal window counts are
   * evened out with windows of the empty prompt, as ComfyUI's CLIPTextEncodeSDXL does.
   */
  async encodeSdxl(textG: string, textL: string, signal?: AbortSignal, cache?: PromptLookup): Promise<ConditioningValue> {
    const g = await this.second.encode(textG, signal, cache);
    if (!g.pooled) {
      throw new ModelFormatError(this.second.file, 'has no text_embeds output; SDXL needs the pooled projection of text_encoder_2 (CLIPTextModelWithProjection)');
    }
    if (!this.first) return { ...g, pooled: g.pooled };
    const l = await this.first.encode(textL, signal, cache);
    let [lStates, gStates] = [l.embeddings, g.embeddings];
    if (lStates.dims[1] !== gStates.dims[1]) {
      const pad = async (states: Tensor, clip: OnnxClip, to: number) => {
        const empty = (await clip.encode('', signal, cache)).embeddings;
        const windows: Tensor[] = [states];
        for (let t = states.dims[1]; t < to; t += empty.dims[1]) windows.push(empty);
        return concatTokens(windows);
      };
      lStates = await pad(lStates, this.first, gStates.dims[1]);
      gStates = await pad(gStates, this.second, lStates.dims[1]);
    }
    return { embeddings: concatFeatures(lStates, gStates, this.name), pooled: g.pooled, prompt: textG, tokens: g.tokens };
  }
}

/** [1, T1, d], [1, T2, d], ... -> [1, T1 + T2 + ..., d]. */
function concatTokens(parts: readonly Tensor[]): Tensor {
  if (parts.length === 1) return parts[0];
  const out = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p.data, o);
    o += p.data.length;
  }
  return { data: out, dims: [1, parts.reduce((n, p) => n + p.dims[1], 0), parts[0].dims[2]] };
}

/** [1, T, d1] and [1, T, d2] -> [1, T, d1 + d2], encoder 1's features first (diffusers' torch.concat(..., dim=-1)). */
export function concatFeatures(a: Tensor, b: Tensor, name: string): Tensor {
  const [, t, d1] = a.dims;
  const [, t2, d2] = b.dims;
  if (t !== t2) throw new ModelInputError(`CLIP "${name}"`, `the two SDXL tokenizers split the prompt into ${t} and ${t2} tokens; use tokenizers with the same vocabulary`);
  const out = new Float32Array(t * (d1 + d2));
  for (let i = 0; i < t; i++) {
    out.set(a.data.subarray(i * d1, (i + 1) * d1), i * (d1 + d2));
    out.set(b.data.subarray(i * d2, (i + 1) * d2), i * (d1 + d2) + d1);
  }
  return { data: out, dims: [1, t, d1 + d2] };
}
