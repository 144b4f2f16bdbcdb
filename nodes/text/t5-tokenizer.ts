// The T5 tokenizer of SD3 (tokenizer_3/) and Flux (tokenizer_2/) folders, read from HuggingFace's tokenizer.json:
// added tokens split out first, then the normalizer, the pre-tokenizer (WhitespaceSplit, Metaspace "▁"), the Unigram
// model (Viterbi: the segmentation with the highest summed log-probability, as tokenizers' Unigram does), and the
// post-processor's special tokens (T5: "$A </s>"). Ids are padded with the pad id (T5: <pad> = 0) or truncated,
// keeping the closing </s>, as `tokenizer(..., padding="max_length", truncation=True)` does in the pipelines.
import fs from 'node:fs';
import { TokenizerFileError } from './bpe-vocab';
import { PrecompiledCharsmap } from './precompiled-charsmap';

/** tokenizers' Unigram: an unknown character scores this much below the lowest piece. */
const UNK_PENALTY = 10;

type Json = Record<string, unknown>;

interface Piece {
  id: number;
  score: number;
}

export interface T5Encoding {
  /** Exactly `length` ids: pieces, the post-processor's specials, then padding. */
  ids: number[];
  /** How many of `ids` are not padding. */
  used: number;
}

export class T5Tokenizer {
  private readonly pieces = new Map<string, Piece>();
  /** Longest piece in code points: how far the lattice looks ahead. */
  private readonly maxPiece: number;
  private readonly unkId: number;
  private readonly unkScore: number;
  private readonly added: { content: string; id: number }[];
  private readonly normalize: (s: string) => string;
  private readonly preTokenize: (s: string, first: boolean) => string[];
  private readonly prefix: number[];
  private readonly suffix: number[];
  readonly padId: number;

  constructor(json: unknown, readonly file = 'tokenizer.json') {
    const root = asObject(json, file, 'the file');
    const model = asObject(root.model, file, '"model"');
    if (model.type !== 'Unigram') throw new TokenizerFileError(file, `model type ${JSON.stringify(model.type)} is not supported; a T5 tokenizer.json has a Unigram model`);
    if (!Array.isArray(model.vocab) || model.vocab.length === 0) throw new TokenizerFileError(file, 'model.vocab must be a non-empty list of [piece, score]');
    let max = 1;
    let min = Infinity;
    model.vocab.forEach((entry, id) => {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'number') {
        throw new TokenizerFileError(file, `model.vocab[${id}] must be [piece, score], got ${JSON.stringify(entry)}`);
      }
      // The first occurrence wins, as a map built in order keeps it.
      if (!this.pieces.has(entry[0])) this.pieces.set(entry[0], { id, score: entry[1] });
      max = Math.max(max, [...entry[0]].length);
      min = Math.min(min, entry[1]);
    });
    this.maxPiece = max;
    this.unkScore = min - UNK_PENALTY;
    if (typeof model.unk_id !== 'number' || !Number.isInteger(model.unk_id) || model.unk_id < 0 || model.unk_id >= model.vocab.length) {
      throw new TokenizerFileError(file, `model.unk_id must index the vocabulary, got ${JSON.stringify(model.unk_id)}`);
    }
    this.unkId = model.unk_id;
    this.added = (Array.isArray(root.added_tokens) ? root.added_tokens : [])
      .map((t) => asObject(t, file, 'an added_tokens entry'))
      .filter((t) => typeof t.content === 'string' && t.content.length > 0 && typeof t.id === 'number')
      .map((t) => ({ content: t.content as string, id: t.id as number }))
      .sort((a, b) => b.content.length - a.content.length);
    this.normalize = normalizer(root.normalizer, file);
    this.preTokenize = preTokenizer(root.pre_tokenizer, file);
    [this.prefix, this.suffix] = template(root.post_processor, file, (t) => this.idOf(t));
    const padding = root.padding && typeof root.padding === 'object' ? (root.padding as Json) : undefined;
    this.padId = typeof padding?.pad_id === 'number' ? padding.pad_id : this.pieces.get('<pad>')?.id ?? 0;
  }

  static fromFile(file: string): T5Tokenizer {
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new TokenizerFileError(file, `cannot be read as JSON (${(e as Error).message})`);
    }
    return new T5Tokenizer(json, file);
  }

  private idOf(token: string): number | undefined {
    return this.added.find((a) => a.content === token)?.id ?? this.pieces.get(token)?.id;
  }

  /** Token ids of `text` with the post-processor's specials, no padding. */
  tokenize(text: string): number[] {
    return [...this.prefix, ...this.pieceIds(text), ...this.suffix];
  }

  private pieceIds(text: string): number[] {
    const ids: number[] = [];
    let first = true;
    for (const part of this.splitAdded(text)) {
      if (typeof part === 'number') {
        ids.push(part);
        continue;
      }
      for (const word of this.preTokenize(this.normalize(part), first)) ids.push(...this.viterbi(word));
      first = false;
    }
    return ids;
  }

  /** `length` ids: the content cut so the specials still fit (tokenizers' truncation), then padded. */
  encode(text: string, length: number): T5Encoding {
    const specials = this.prefix.length + this.suffix.length;
    if (length < specials) throw new TokenizerFileError(this.file, `a sequence of ${length} tokens cannot hold the ${specials} special tokens`);
    const ids = [...this.prefix, ...this.pieceIds(text).slice(0, length - specials), ...this.suffix];
    const used = ids.length;
    while (ids.length < length) ids.push(this.padId);
    return { ids, used };
  }

  /** Text around added tokens (matched on the raw text, longest first), with the added tokens' ids between. */
  private splitAdded(text: string): (string | number)[] {
    const out: (string | number)[] = [];
    let rest = text;
    while (rest.length) {
      let at = -1;
      let hit: { content: string; id: number } | undefined;
      for (const a of this.added) {
        const i = rest.indexOf(a.content);
        if (i >= 0 && (at < 0 || i < at)) [at, hit] = [i, a];
      }
      if (!hit) break;
      if (at > 0) out.push(rest.slice(0, at));
      out.push(hit.id);
      rest = rest.slice(at + hit.content.length);
    }
    if (rest.length) out.push(rest);
    return out;
  }

  /**
   * The best segmentation of one pre-token: best[i] = the highest-scoring path over its first i code points. Pieces
   * starting at a position are tried shortest first and replace a path only when strictly better; a position with
   * no one-character piece also gets <unk> (score: the lowest piece's minus 10); adjacent unknowns fuse into one.
   */
  private viterbi(word: string): number[] {
    const chars = [...word];
    const n = chars.length;
    const best = new Float64Array(n + 1).fill(-Infinity);
    const from = new Int32Array(n + 1).fill(-1);
    const via = new Int32Array(n + 1);
    best[0] = 0;
    for (let start = 0; start < n; start++) {
      if (best[start] === -Infinity) continue;
      let single = false;
      let piece = '';
      for (let len = 1; len <= this.maxPiece && start + len <= n; len++) {
        piece += chars[start + len - 1];
        const hit = this.pieces.get(piece);
        if (!hit) continue;
        if (len === 1) single = true;
        const score = best[start] + hit.score;
        if (from[start + len] < 0 || score > best[start + len]) [best[start + len], from[start + len], via[start + len]] = [score, start, hit.id];
      }
      const score = best[start] + this.unkScore;
      if (!single && (from[start + 1] < 0 || score > best[start + 1])) [best[start + 1], from[start + 1], via[start + 1]] = [score, start, this.unkId];
    }
    const ids: number[] = [];
    for (let end = n; end > 0; end = from[end]) ids.push(via[end]);
    ids.reverse();
    return ids.filter((id, i) => !(id === this.unkId && ids[i - 1] === this.unkId));
  }
}

function asObject(v: unknown, file: string, what: string): Json {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new TokenizerFileError(file, `${what} must be a JSON object`);
  return v as Json;
}

/** tokenizers' normalizers that T5 conversions use (Precompiled: sentencepiece's rules, precompiled-charsmap.ts). */
function normalizer(config: unknown, file: string): (s: string) => string {
  if (config === null || config === undefined) return (s) => s;
  const c = asObject(config, file, '"normalizer"');
  switch (c.type) {
    case 'Sequence': {
      const parts = (Array.isArray(c.normalizers) ? c.normalizers : []).map((n) => normalizer(n, file));
      return (s) => parts.reduce((acc, f) => f(acc), s);
    }
    case 'Precompiled': {
      const map = new PrecompiledCharsmap(c.precompiled_charsmap, file);
      return (s) => map.normalize(s);
    }
    case 'NFKC': case 'NFC': case 'NFKD': case 'NFD': {
      const form = c.type;
      return (s) => s.normalize(form);
    }
    case 'Lowercase':
      return (s) => s.toLowerCase();
    case 'Strip': {
      const left = c.strip_left !== false;
      const right = c.strip_right !== false;
      return (s) => (left && right ? s.trim() : left ? s.trimStart() : right ? s.trimEnd() : s);
    }
    case 'Replace': {
      const pattern = replacePattern(c.pattern, file);
      const content = typeof c.content === 'string' ? c.content : '';
      return (s) => s.replace(pattern, content);
    }
    default:
      throw new TokenizerFileError(file, `normalizer ${JSON.stringify(c.type)} is not supported (T5: Precompiled, Replace, Strip, NFKC, Sequence)`);
  }
}

function replacePattern(p: unknown, file: string): RegExp {
  const o = asObject(p, file, 'a Replace normalizer\'s "pattern"');
  if (typeof o.String === 'string') return new RegExp(o.String.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gu');
  if (typeof o.Regex === 'string') return new RegExp(o.Regex, 'gu');
  throw new TokenizerFileError(file, 'a Replace normalizer\'s pattern must be {"String": …} or {"Regex": …}');
}

/** WhitespaceSplit and Metaspace (replacement, prepend_scheme or the older add_prefix_space, split), or a Sequence. */
function preTokenizer(config: unknown, file: string): (s: string, first: boolean) => string[] {
  if (config === null || config === undefined) return (s) => [s];
  const c = asObject(config, file, '"pre_tokenizer"');
  switch (c.type) {
    case 'Sequence': {
      const parts = (Array.isArray(c.pretokenizers) ? c.pretokenizers : []).map((p) => preTokenizer(p, file));
      return (s, first) => parts.reduce<string[]>((words, f) => words.flatMap((w) => f(w, first)), [s]);
    }
    case 'WhitespaceSplit':
      return (s) => s.split(/\s+/u).filter((w) => w.length > 0);
    case 'Metaspace': {
      const mark = typeof c.replacement === 'string' ? c.replacement : '▁';
      const scheme = typeof c.prepend_scheme === 'string' ? c.prepend_scheme : c.add_prefix_space === false ? 'never' : 'always';
      const split = c.split !== false;
      return (s, first) => {
        let t = s.replaceAll(' ', mark);
        if ((scheme === 'always' || (scheme === 'first' && first)) && !t.startsWith(mark)) t = mark + t;
        // MergedWithNext: each word starts with its mark.
        return split ? t.split(new RegExp(`(?=${mark.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})`, 'u')).filter((w) => w.length > 0) : [t];
      };
    }
    default:
      throw new TokenizerFileError(file, `pre_tokenizer ${JSON.stringify(c.type)} is not supported (T5: Metaspace, WhitespaceSplit, Sequence)`);
  }
}

/** A TemplateProcessing post-processor's single template: the special-token ids before and after the text. */
function template(config: unknown, file: string, idOf: (t: string) => number | undefined): [number[], number[]] {
  if (config === null || config === undefined) return [[], []];
  const c = asObject(config, file, '"post_processor"');
  if (c.type !== 'TemplateProcessing' || !Array.isArray(c.single)) {
    throw new TokenizerFileError(file, `post_processor ${JSON.stringify(c.type)} is not supported (T5: TemplateProcessing "$A </s>")`);
  }
  const specials = c.special_tokens && typeof c.special_tokens === 'object' ? (c.special_tokens as Record<string, { ids?: unknown }>) : {};
  const out: [number[], number[]] = [[], []];
  let side = 0;
  for (const item of c.single as Json[]) {
    if (item && typeof item === 'object' && 'Sequence' in item) {
      side = 1;
      continue;
    }
    const token = (item?.SpecialToken as Json | undefined)?.id;
    if (typeof token !== 'string') throw new TokenizerFileError(file, `post_processor.single has an entry that is neither Sequence nor SpecialToken: ${JSON.stringify(item)}`);
    const listed = specials[token]?.ids;
    const ids = Array.isArray(listed) && listed.every((i) => typeof i === 'number') ? (listed as number[]) : [idOf(token)];
    if (ids.some((i) => i === undefined)) throw new TokenizerFileError(file, `post_processor names special token ${JSON.stringify(token)}, which has no id`);
    out[side].push(...(ids as number[]));
  }
  return out;
}
