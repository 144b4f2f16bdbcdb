// The CLIP socket's value for SDXL: text_encoder (CLIP-L) and text_encoder_2 (OpenCLIP-G), each read at its
// penultimate layer without the final norm (diffusers: hidden_states[-2]), concatenated along the feature axis, and
// the pooled text_embeds of encoder 2. The refiner has encoder 2 only. Each encoder keeps its own prompt-cache entry.
import type { PromptLookup } from '../engine/prompt-cache';
import type { Tensor } from '../runtime/tensor';
import type { ClipModel, ConditioningValue } from '../values';
import type { OnnxClip } from './clip';
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

  async encode(prompt: string, signal?: AbortSignal, cache?: PromptLookup): Promise<ConditioningValue> {
    const g = await this.second.encode(prompt, signal, cache);
    if (!g.pooled) {
      throw new ModelFormatError(this.second.file, 'has no text_embeds output; SDXL needs the pooled projection of text_encoder_2 (CLIPTextModelWithProjection)');
    }
    if (!this.first) return { ...g, pooled: g.pooled };
    const l = await this.first.encode(prompt, signal, cache);
    return { embeddings: concatFeatures(l.embeddings, g.embeddings, this.name), pooled: g.pooled, prompt, tokens: g.tokens };
  }
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
