// The Precompiled normalizer on a hand-laid charsmap (testing/tiny-charsmap.ts: "A" -> "a", "B" -> "", "ｒ" -> "r"),
// with tokenizers' grapheme rule: a grapheme under 6 UTF-8 bytes is replaced whole by its shortest matching prefix
// rule, a longer one character by character.
import { describe, expect, it } from 'vitest';
import { TokenizerFileError } from './bpe-vocab';
import { PrecompiledCharsmap } from './precompiled-charsmap';
import { tinyCharsmapBase64 } from './testing/tiny-charsmap';

describe('PrecompiledCharsmap', () => {
  const map = new PrecompiledCharsmap(tinyCharsmapBase64(), 'tokenizer.json');

  it('applies the rules the trie holds, and only those (no NFKC of its own)', () => {
    expect(map.normalize('ABxｒ')).toBe('axr');
    // Fullwidth "Ａ" has no rule here: it stays (the real nmt_nfkc map has one).
    expect(map.normalize('Ａ b')).toBe('Ａ b');
    expect(map.transform('x')).toBeUndefined();
    expect(map.transform('B')).toBe('');
  });

  it('replaces a short grapheme whole by the rule of its prefix, a long one character by character', () => {
    // "A" + combining acute: one grapheme of 3 bytes; "A" matches, so the accent goes with it.
    expect(map.normalize('A\u0301x')).toBe('ax');
    // "ｒ" + acute = 5 bytes: whole -> "r"; with two acutes (7 bytes) each character: "r" + both acutes kept.
    expect(map.normalize('ｒ\u0301')).toBe('r');
    expect(map.normalize('ｒ\u0301\u0301')).toBe('r\u0301\u0301');
  });

  it('refuses a blob that is not a charsmap, naming the file', () => {
    expect(() => new PrecompiledCharsmap('', 'x/tokenizer.json')).toThrow(/x\/tokenizer\.json: the Precompiled normalizer has no precompiled_charsmap/);
    expect(() => new PrecompiledCharsmap(Buffer.from([0xff, 0, 0, 0, 1]).toString('base64'), 'x/tokenizer.json')).toThrow(TokenizerFileError);
  });
});
