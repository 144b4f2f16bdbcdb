// The CLIP BPE tokenizer, matching openai/CLIP's SimpleTokenizer and transformers' CLIPTokenizer id
// for id, plus weighted encoding into 77-token windows for the text encoder.
import type { TokenInfo } from '../values';
import { fromByteSymbols, toByteSymbols } from './byte-level';
import { type BpeVocab, END_OF_TEXT, END_OF_WORD, START_OF_TEXT } from './bpe-vocab';
import { loadHfTokenizerFolder, loadOpenAiMergesGz, writeHfTokenizerFiles } from './bpe-files';
import { type TokenChunk, packChunks } from './chunks';
import { cleanPromptText } from './text-clean';
import { parsePromptWeights } from './prompt-weights';
import { splitEmbeddingRefs } from './embedding-refs';

/**
 * openai/CLIP's pre-tokenizer pattern; `\s` is written as \p{White_Space}, which is what Python's
 * `regex` module means by it. Digits are single tokens ([\p{N}] without +).
 */
const PRE_TOKENIZER = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\p{White_Space}\p{L}\p{N}]+/giu;

/** Words seen by a long-running worker are unbounded; the cache restarts past this size. */
const MAX_CACHED_WORDS = 50_000;

export interface WeightedEncoding {
  chunks: TokenChunk[];
  /** Content tokens in prompt order (no BOS/EOS/pad), with their emphasis. */
  tokens: TokenInfo[];
}

export class ClipTokenizer {
  readonly bos: number;
  readonly eos: number;
  readonly pad: number;
  readonly vocabSize: number;
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, number[]>();

  constructor(readonly vocab: BpeVocab) {
    this.bos = vocab.bos;
    this.eos = vocab.eos;
    this.pad = vocab.pad;
    this.vocabSize = vocab.tokens.length;
    vocab.merges.forEach(([a, b], rank) => {
      const key = `${a} ${b}`;
      if (!this.ranks.has(key)) this.ranks.set(key, rank);
    });
  }

  /** From OpenAI's merges file; defaults to the copy bundled with StepFlow. */
  static fromOpenAiGz(file?: string): ClipTokenizer {
    return new ClipTokenizer(loadOpenAiMergesGz(file));
  }

  /** From a Hugging Face tokenizer folder (vocab.json + merges.txt, optional pad in its configs). */
  static fromHfFolder(dir: string): ClipTokenizer {
    return new ClipTokenizer(loadHfTokenizerFolder(dir));
  }

  /** Writes this vocabulary as a Hugging Face tokenizer folder (vocab.json, merges.txt, specials). */
  writeHfFolder(dir: string): void {
    writeHfTokenizerFiles(this.vocab, dir);
  }

  /** Token ids without BOS/EOS, as SimpleTokenizer.encode. */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const [word] of cleanPromptText(text).matchAll(PRE_TOKENIZER)) {
      for (const id of this.wordIds(word)) ids.push(id);
    }
    return ids;
  }

  /** [BOS, ...encode(text), EOS], without truncation or padding. */
  tokenize(text: string): number[] {
    return [this.bos, ...this.encode(text), this.eos];
  }

  /**
   * Text of `ids`: `</w>` becomes a space and the result is trimmed, like transformers'
   * CLIPTokenizer.decode without its punctuation clean-up. Specials are dropped unless asked for.
   */
  decode(ids: readonly number[], opts: { skipSpecialTokens?: boolean } = {}): string {
    const skip = opts.skipSpecialTokens ?? true;
    let symbols = '';
    for (const id of ids) {
      const token = this.vocab.tokens[id];
      if (token === undefined || (skip && (id === this.bos || id === this.eos))) continue;
      symbols += token;
    }
    // Specials and `</w>` are printable ASCII, which the byte table maps to itself.
    return fromByteSymbols(symbols).replaceAll(END_OF_WORD, ' ').trim();
  }

  /** Readable text of one token: its bytes as UTF-8 (U+FFFD for a partial character), no `</w>`. */
  tokenText(id: number): string {
    const token = this.vocab.tokens[id];
    if (token === undefined) return '';
    if (token === START_OF_TEXT || token === END_OF_TEXT) return token;
    return fromByteSymbols(token.endsWith(END_OF_WORD) ? token.slice(0, -END_OF_WORD.length) : token);
  }

  /**
   * Parses emphasis, tokenizes each weighted run separately (as A1111 does, so tokens never merge
   * across a bracket) and packs the result into 77-token windows.
   */
  /** `embeddings`: the token ids of each `embedding:name` in the prompt (textual inversion, nodes/models/embeddings.ts). */
  encodeWeighted(prompt: string, embeddings?: ReadonlyMap<string, readonly number[]>): WeightedEncoding {
    const runs: TokenInfo[][] = [[]];
    for (const segment of parsePromptWeights(prompt)) {
      if (segment.kind === 'break') {
        runs.push([]);
        continue;
      }
      const run = runs[runs.length - 1];
      for (const part of embeddings?.size ? splitEmbeddingRefs(segment.text) : [{ text: segment.text }]) {
        const ids = part.embedding !== undefined ? embeddings?.get(part.embedding) : undefined;
        if (ids) for (const id of ids) run.push({ id, text: part.text, weight: segment.weight });
        else for (const id of this.encode(part.text)) run.push({ id, text: this.tokenText(id), weight: segment.weight });
      }
    }
    return { chunks: packChunks(runs, this), tokens: runs.flat() };
  }

  private wordIds(word: string): number[] {
    const cached = this.cache.get(word);
    if (cached) return cached;
    const ids = this.bpe(word);
    if (this.cache.size >= MAX_CACHED_WORDS) this.cache.clear();
    this.cache.set(word, ids);
    return ids;
  }

  /** Byte-level BPE of one pre-token: repeatedly merge the adjacent pair with the lowest rank. */
  private bpe(word: string): number[] {
    if (word === START_OF_TEXT) return [this.bos];
    if (word === END_OF_TEXT) return [this.eos];
    let parts = [...toByteSymbols(word)];
    parts[parts.length - 1] += END_OF_WORD;
    while (parts.length > 1) {
      let best = Infinity;
      let first = '';
      let second = '';
      for (let i = 0; i < parts.length - 1; i++) {
        const rank = this.ranks.get(`${parts[i]} ${parts[i + 1]}`);
        if (rank !== undefined && rank < best) {
          best = rank;
          first = parts[i];
          second = parts[i + 1];
        }
      }
      if (best === Infinity) break;
      const merged: string[] = [];
      for (let i = 0; i < parts.length; i++) {
        if (parts[i] === first && parts[i + 1] === second) {
          merged.push(first + second);
          i++;
        } else {
          merged.push(parts[i]);
        }
      }
      parts = merged;
    }
    return parts.map((p) => this.vocab.ids.get(p) ?? this.vocab.unk);
  }
}
