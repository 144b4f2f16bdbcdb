// `embedding:name` references in prompt text (ComfyUI's textual-inversion syntax); the vectors: nodes/models/embeddings.ts.

/** `embedding:name` or `embedding:name.safetensors`, up to whitespace, a comma or a bracket (ComfyUI's reading). */
const EMBEDDING_REF = /embedding:([^\s,()[\]]+)/g;

/** The embedding names a prompt refers to, each once, in order. */
export function embeddingNames(prompt: string): string[] {
  return [...new Set([...prompt.matchAll(EMBEDDING_REF)].map((m) => m[1]))];
}

/** models/embeddings/ file name of a prompt's `embedding:` name. */
export function embeddingFileName(name: string): string {
  return name.endsWith('.safetensors') ? name : `${name}.safetensors`;
}

/** Splits prompt text into plain text and embedding references, in order. */
export function splitEmbeddingRefs(text: string): { text: string; embedding?: string }[] {
  const out: { text: string; embedding?: string }[] = [];
  let at = 0;
  for (const m of text.matchAll(EMBEDDING_REF)) {
    if (m.index > at) out.push({ text: text.slice(at, m.index) });
    out.push({ text: m[0], embedding: m[1] });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}

