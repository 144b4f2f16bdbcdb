// Reads CLIP BPE vocabularies from disk (OpenAI's merges .gz or a Hugging Face tokenizer folder)
// and writes the Hugging Face form, which the built-in model pack ships in tokenizer/.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import {
  type BpeVocab, type HfSpecialTokens, TokenizerFileError,
  parseMergeLines, vocabFromHf, vocabFromOpenAiMerges,
} from './bpe-vocab';

/** The copy of openai/CLIP's merges file shipped with StepFlow (MIT, see data/README.md). */
export const BUNDLED_CLIP_MERGES = fileURLToPath(new URL('./data/bpe_simple_vocab_16e6.txt.gz', import.meta.url));

function readFile(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message;
    throw new TokenizerFileError(file, `${what} ${reason}`);
  }
}

/** OpenAI's `bpe_simple_vocab_16e6.txt.gz` (gzip of one merge per line after a header line). */
export function loadOpenAiMergesGz(file: string = BUNDLED_CLIP_MERGES): BpeVocab {
  const packed = readFile(file, 'CLIP merges file');
  let text: string;
  try {
    text = zlib.gunzipSync(packed).toString('utf-8');
  } catch (err) {
    throw new TokenizerFileError(file, `is not a valid gzip file (${(err as Error).message})`);
  }
  return vocabFromOpenAiMerges(text.split('\n'), file);
}

function readJson(file: string, what: string): unknown {
  const raw = readFile(file, what).toString('utf-8');
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new TokenizerFileError(file, `is not valid JSON (${(err as Error).message})`);
  }
}

/** A special token in HF configs is either a string or `{ content: string, ... }` (AddedToken). */
function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

function readSpecials(dir: string): HfSpecialTokens {
  const specials: HfSpecialTokens = {};
  // special_tokens_map.json is read last because transformers lets it override tokenizer_config.json.
  for (const name of ['tokenizer_config.json', 'special_tokens_map.json']) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) continue;
    const json = readJson(file, name) as Record<string, unknown>;
    for (const key of ['bos', 'eos', 'pad', 'unk'] as const) {
      const text = tokenText(json?.[`${key}_token`]);
      if (text !== undefined) specials[key] = text;
    }
  }
  return specials;
}

/** A Hugging Face CLIPTokenizer folder: vocab.json + merges.txt (+ optional configs naming the pad). */
export function loadHfTokenizerFolder(dir: string): BpeVocab {
  const vocabFile = path.join(dir, 'vocab.json');
  const mergesFile = path.join(dir, 'merges.txt');
  const vocab = readJson(vocabFile, 'vocab.json (a tokenizer.json-only folder is not supported)');
  if (!vocab || typeof vocab !== 'object' || Array.isArray(vocab)) {
    throw new TokenizerFileError(vocabFile, 'should be an object mapping token strings to ids');
  }
  const mergeLines = readFile(mergesFile, 'merges.txt').toString('utf-8').split('\n');
  return vocabFromHf(vocab as Record<string, number>, parseMergeLines(mergeLines, mergesFile), readSpecials(dir), dir);
}

/**
 * Writes vocab.json, merges.txt and special_tokens_map.json in the layout transformers and
 * diffusers read, so a folder written here loads as the same tokenizer anywhere.
 */
export function writeHfTokenizerFiles(vocab: BpeVocab, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const entries: Record<string, number> = {};
  vocab.tokens.forEach((token, id) => {
    if (token !== undefined) entries[token] = id;
  });
  fs.writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(entries));
  const lines = ['#version: 0.2', ...vocab.merges.map(([a, b]) => `${a} ${b}`)];
  fs.writeFileSync(path.join(dir, 'merges.txt'), lines.join('\n') + '\n');
  const specials = {
    bos_token: vocab.tokens[vocab.bos],
    eos_token: vocab.tokens[vocab.eos],
    pad_token: vocab.tokens[vocab.pad],
    unk_token: vocab.tokens[vocab.unk],
  };
  fs.writeFileSync(path.join(dir, 'special_tokens_map.json'), JSON.stringify(specials, null, 2) + '\n');
}
