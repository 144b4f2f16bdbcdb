// The in-memory CLIP BPE vocabulary: token strings <-> ids, merge ranks and special-token ids.
// Built either from OpenAI's merges list (ids derived) or from a Hugging Face vocab.json/merges.txt.
import { BASE_ALPHABET } from './byte-level';

export const START_OF_TEXT = '<|startoftext|>';
export const END_OF_TEXT = '<|endoftext|>';
export const END_OF_WORD = '</w>';

/** CLIP keeps the first 49152 - 256 - 2 merges of its 16e6 file: 256 + 256 + 48894 + 2 = 49408 ids. */
export const CLIP_MERGE_COUNT = 49152 - 256 - 2;

export interface BpeVocab {
  /** Token string of each id. */
  readonly tokens: readonly string[];
  readonly ids: ReadonlyMap<string, number>;
  /** Merges in priority order (index = rank). */
  readonly merges: readonly (readonly [string, string])[];
  readonly bos: number;
  readonly eos: number;
  readonly pad: number;
  /** Id for a BPE piece missing from the vocabulary (never happens with CLIP's own files). */
  readonly unk: number;
}

/** Thrown when tokenizer files are malformed; `file` names what to fix. */
export class TokenizerFileError extends Error {
  readonly code = 'tokenizer_file';
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'TokenizerFileError';
  }
}

/** Parses "a b" merge lines, skipping a `#version` header and blank lines. */
export function parseMergeLines(lines: readonly string[], file: string): [string, string][] {
  const merges: [string, string][] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || (i === 0 && line.includes('#version'))) return;
    const parts = line.split(/\s+/);
    if (parts.length !== 2) {
      throw new TokenizerFileError(file, `line ${i + 1} should hold two symbols separated by a space, got "${line.slice(0, 60)}"`);
    }
    merges.push([parts[0], parts[1]]);
  });
  return merges;
}

/**
 * OpenAI's layout: 256 byte symbols, the same with `</w>`, one token per merge, then the two
 * specials. `mergeLines` is the file's lines with the header line first.
 */
export function vocabFromOpenAiMerges(mergeLines: readonly string[], file: string): BpeVocab {
  const merges = parseMergeLines(mergeLines.slice(0, CLIP_MERGE_COUNT + 1), file);
  if (merges.length < CLIP_MERGE_COUNT) {
    throw new TokenizerFileError(file, `holds ${merges.length} merges, CLIP needs ${CLIP_MERGE_COUNT}; is the file truncated?`);
  }
  const tokens = [
    ...BASE_ALPHABET,
    ...BASE_ALPHABET.map((s) => s + END_OF_WORD),
    ...merges.map(([a, b]) => a + b),
    START_OF_TEXT,
    END_OF_TEXT,
  ];
  const ids = new Map(tokens.map((t, i) => [t, i] as const));
  const eos = ids.get(END_OF_TEXT)!;
  return { tokens, ids, merges, bos: ids.get(START_OF_TEXT)!, eos, pad: eos, unk: eos };
}

export interface HfSpecialTokens {
  bos?: string;
  eos?: string;
  pad?: string;
  unk?: string;
}

/** A Hugging Face vocabulary: `vocab` is vocab.json's object; specials come from its config files. */
export function vocabFromHf(
  vocab: Record<string, number>,
  merges: [string, string][],
  specials: HfSpecialTokens,
  dir: string,
): BpeVocab {
  const ids = new Map<string, number>();
  const tokens: string[] = [];
  for (const [token, id] of Object.entries(vocab)) {
    if (!Number.isInteger(id) || id < 0) throw new TokenizerFileError(`${dir}/vocab.json`, `token "${token}" has invalid id ${id}`);
    ids.set(token, id);
    tokens[id] = token;
  }
  const idOf = (name: string, token: string): number => {
    const id = ids.get(token);
    if (id !== undefined) return id;
    throw new TokenizerFileError(`${dir}/vocab.json`, `has no ${name} token "${token}"; is this a CLIP tokenizer folder?`);
  };
  const bos = idOf('start-of-text', specials.bos ?? START_OF_TEXT);
  const eos = idOf('end-of-text', specials.eos ?? END_OF_TEXT);
  // CLIP's own configs default both to <|endoftext|> (SD1.x); SD2 folders name "!" as pad.
  const pad = specials.pad === undefined ? eos : idOf('pad', specials.pad);
  const unk = specials.unk === undefined ? eos : idOf('unknown', specials.unk);
  return { tokens, ids, merges, bos, eos, pad, unk };
}
