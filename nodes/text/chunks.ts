// Packs weighted prompt tokens into CLIP's fixed 77-token windows: [BOS, up to 75 tokens, EOS, pad...].
// Long prompts become several consecutive windows, which the text encoder runs one by one and
// concatenates (ComfyUI / A1111 behaviour).
import type { TokenInfo } from '../values';

export const CLIP_CONTEXT_LENGTH = 77;
/** Content tokens per window: the context minus BOS and EOS. */
export const CHUNK_CONTENT_TOKENS = CLIP_CONTEXT_LENGTH - 2;

export interface TokenChunk {
  /** Always CLIP_CONTEXT_LENGTH ids. */
  ids: number[];
  /** Emphasis per position; BOS, EOS and padding carry 1. */
  weights: number[];
}

export interface ChunkSpecials {
  bos: number;
  eos: number;
  pad: number;
}

function wrap(content: readonly TokenInfo[], s: ChunkSpecials): TokenChunk {
  const ids = [s.bos, ...content.map((t) => t.id), s.eos];
  const weights = [1, ...content.map((t) => t.weight), 1];
  while (ids.length < CLIP_CONTEXT_LENGTH) {
    ids.push(s.pad);
    weights.push(1);
  }
  return { ids, weights };
}

/**
 * `runs` are token lists that must each start a new window (the prompt split at BREAK). Each run is
 * cut every 75 tokens. ComfyUI and A1111 move the cut back to the last comma when one is near; this
 * is a plain cut at 75, so a phrase can straddle two windows. Empty runs produce no window, and an
 * empty prompt still yields one window [BOS, EOS, pad...].
 */
export function packChunks(runs: readonly (readonly TokenInfo[])[], specials: ChunkSpecials): TokenChunk[] {
  const chunks: TokenChunk[] = [];
  for (const run of runs) {
    for (let start = 0; start < run.length; start += CHUNK_CONTENT_TOKENS) {
      chunks.push(wrap(run.slice(start, start + CHUNK_CONTENT_TOKENS), specials));
    }
  }
  return chunks.length > 0 ? chunks : [wrap([], specials)];
}
