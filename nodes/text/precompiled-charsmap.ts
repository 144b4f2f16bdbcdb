// sentencepiece's normalization rules as tokenizer.json's Precompiled normalizer carries them (T5: nmt_nfkc): a
// base64 blob = uint32 LE byte size of a darts-clone double-array trie, the trie's uint32 LE units, then a pool of
// NUL-terminated replacement strings the trie's values point into. Applied as tokenizers' Precompiled does: each
// grapheme shorter than 6 UTF-8 bytes is replaced whole when a rule matches a prefix of it (the shortest matching
// rule, whatever follows it in the grapheme); otherwise each character on its own, kept when no rule matches.
import { TokenizerFileError } from './bpe-vocab';

const LEAF_BIT = 1 << 8;
const LABEL_MASK = 0x800000ff;
const VALUE_MASK = 0x7fffffff;

/** darts-clone's unit layout: the child offset (scaled by 256 when bit 9 is set), a leaf flag and the byte label. */
const offsetOf = (unit: number) => (unit >>> 10) << ((unit & (1 << 9)) >>> 6);

export class PrecompiledCharsmap {
  private readonly units: Uint32Array;
  private readonly pool: Uint8Array;
  private readonly graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(base64: unknown, readonly file: string) {
    if (typeof base64 !== 'string' || base64.length === 0) throw new TokenizerFileError(file, 'the Precompiled normalizer has no precompiled_charsmap');
    const bytes = Buffer.from(base64, 'base64');
    const trieBytes = bytes.length >= 4 ? bytes.readUInt32LE(0) : -1;
    if (trieBytes < 4 || trieBytes % 4 !== 0 || 4 + trieBytes > bytes.length) {
      throw new TokenizerFileError(file, `precompiled_charsmap is not a sentencepiece charsmap (trie size ${trieBytes} in ${bytes.length} bytes)`);
    }
    this.units = new Uint32Array(trieBytes / 4);
    for (let i = 0; i < this.units.length; i++) this.units[i] = bytes.readUInt32LE(4 + 4 * i);
    this.pool = new Uint8Array(bytes.subarray(4 + trieBytes));
  }

  normalize(text: string): string {
    let out = '';
    for (const { segment } of this.graphemes.segment(text)) {
      const whole = this.encoder.encode(segment).length < 6 ? this.transform(segment) : undefined;
      if (whole !== undefined) {
        out += whole;
        continue;
      }
      for (const ch of segment) out += this.transform(ch) ?? ch;
    }
    return out;
  }

  /** The replacement of the shortest rule matching a prefix of `chunk`, or undefined. */
  transform(chunk: string): string | undefined {
    const start = this.firstPrefixValue(this.encoder.encode(chunk));
    if (start === undefined || start >= this.pool.length) return undefined;
    let end = start;
    while (end < this.pool.length && this.pool[end] !== 0) end++;
    try {
      return this.decoder.decode(this.pool.subarray(start, end));
    } catch {
      throw new TokenizerFileError(this.file, `precompiled_charsmap has a replacement at byte ${start} that is not UTF-8`);
    }
  }

  /** darts-clone's common-prefix search, stopped at its first (shortest) hit. */
  private firstPrefixValue(key: Uint8Array): number | undefined {
    const u = this.units;
    if (u.length === 0) return undefined;
    let node = offsetOf(u[0]);
    for (const c of key) {
      if (c === 0) return undefined;
      node ^= c;
      const unit = u[node];
      if (unit === undefined || (unit & LABEL_MASK) >>> 0 !== c) return undefined;
      node ^= offsetOf(unit);
      if (unit & LEAF_BIT) {
        const leaf = u[node];
        return leaf === undefined ? undefined : (leaf & VALUE_MASK) >>> 0;
      }
    }
    return undefined;
  }
}
