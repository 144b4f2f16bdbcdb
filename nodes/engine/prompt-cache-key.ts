// Prompt-cache keys: what a text encoder's output depends on, hashed. Not the prompt text: two spellings that
// tokenize alike ("Red  circle" / "red circle") share an entry; not the node or graph either.
import { createHash } from 'node:crypto';
import type { TokenChunk } from '../text';

export interface PromptKeyParts {
  /**
   * The weights the encoder runs: content hashes of its files and of each LoRA merged into it with its strength
   * (OnnxClip.weightsKey), so a renamed file still hits and a regenerated one or another strength misses.
   */
  encoder: string;
  /** The 77-token windows as the session takes them: token ids (padding included) and the emphasis per position. */
  chunks: readonly TokenChunk[];
  /** Whose entry this is (the run's owner, as the node cache's cacheScope); undefined = unscoped. */
  scope?: string;
}

export function promptKey(parts: PromptKeyParts): string {
  const h = createHash('sha256');
  h.update('encoder\0').update(parts.encoder).update('\0');
  h.update(`windows\0${parts.chunks.length}\0`);
  for (const c of parts.chunks) {
    // Lengths first, so [1,2][3] and [1][2,3] cannot hash alike; weights as float64 so 1.1 and 1.1000001 differ.
    h.update(`${c.ids.length}:${c.weights.length}\0`);
    h.update(new Uint8Array(Int32Array.from(c.ids).buffer));
    h.update(new Uint8Array(Float64Array.from(c.weights).buffer));
  }
  if (parts.scope !== undefined) h.update('scope\0').update(parts.scope);
  return h.digest('hex');
}
