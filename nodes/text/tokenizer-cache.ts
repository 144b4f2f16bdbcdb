// Tokenizers are immutable once built and take ~100 ms to parse (49k merges): checkpoint loads share one per
// tokenizer folder, rebuilt only when its files change (size or mtime), so a cache-cold graph run skips the parse.
import fs from 'node:fs';
import path from 'node:path';
import { ClipTokenizer } from './clip-tokenizer';

const KEPT = 8;
const byFolder = new Map<string, ClipTokenizer>();
let bundled: ClipTokenizer | undefined;

function fingerprint(dir: string): string {
  const parts = [path.resolve(dir)];
  for (const f of ['vocab.json', 'merges.txt', 'special_tokens_map.json', 'tokenizer_config.json']) {
    try {
      const st = fs.statSync(path.join(dir, f));
      parts.push(`${f}:${st.size}:${st.mtimeMs}`);
    } catch {
      parts.push(`${f}:-`);
    }
  }
  return parts.join('|');
}

/** The tokenizer of a Hugging Face tokenizer folder, shared while its files stay the same. */
export function tokenizerForFolder(dir: string): ClipTokenizer {
  const key = fingerprint(dir);
  const hit = byFolder.get(key);
  if (hit) {
    // Most recently used last: the oldest entry is the one dropped.
    byFolder.delete(key);
    byFolder.set(key, hit);
    return hit;
  }
  const t = ClipTokenizer.fromHfFolder(dir);
  byFolder.set(key, t);
  if (byFolder.size > KEPT) byFolder.delete(byFolder.keys().next().value!);
  return t;
}

/** The bundled OpenAI CLIP vocabulary, parsed once per process. */
export function bundledTokenizer(): ClipTokenizer {
  bundled ??= ClipTokenizer.fromOpenAiGz();
  return bundled;
}
