// The reversible byte <-> printable-character table CLIP shares with GPT-2, so that BPE works on
// visible characters only (no spaces or control bytes) and any UTF-8 input maps to known symbols.

/** Printable bytes keep their own code point; the other 68 bytes map to U+0100.. in byte order. */
function buildByteTable(): string[] {
  const printable = (b: number) =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const table: string[] = new Array(256);
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    table[b] = String.fromCharCode(printable(b) ? b : 256 + shifted++);
  }
  return table;
}

/** BYTE_SYMBOLS[b] is the one-character symbol standing for byte b. */
export const BYTE_SYMBOLS: readonly string[] = buildByteTable();

const SYMBOL_TO_BYTE = new Map<string, number>(BYTE_SYMBOLS.map((s, b) => [s, b]));

/**
 * The base alphabet in vocabulary order: the printable bytes in code-point order first, then the
 * remapped ones. Ids 0..255 are these symbols, ids 256..511 the same symbols + `</w>`.
 */
export const BASE_ALPHABET: readonly string[] = [...BYTE_SYMBOLS].sort(
  (a, b) => a.charCodeAt(0) - b.charCodeAt(0),
);

const utf8 = new TextEncoder();
const utf8Lenient = new TextDecoder('utf-8', { fatal: false });

/** UTF-8 bytes of `text`, each written as its byte symbol. */
export function toByteSymbols(text: string): string {
  let out = '';
  for (const b of utf8.encode(text)) out += BYTE_SYMBOLS[b];
  return out;
}

/** Inverse of toByteSymbols; broken UTF-8 (a token that splits a character) becomes U+FFFD. */
export function fromByteSymbols(symbols: string): string {
  const bytes: number[] = [];
  for (const ch of symbols) {
    const b = SYMBOL_TO_BYTE.get(ch);
    if (b !== undefined) bytes.push(b);
  }
  return utf8Lenient.decode(new Uint8Array(bytes));
}
