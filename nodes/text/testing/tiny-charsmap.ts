// A sentencepiece precompiled_charsmap laid out by hand for tests: a darts-clone double array with three rules,
// "A" -> "a", "B" -> "" and "ｒ" (UTF-8 EF BD 92) -> "r", and the replacement pool "a\0" "\0" "r\0".
// Unit = offset << 10 | leaf flag (bit 8) | byte label; a leaf unit holds 1 << 31 | the pool offset of its rule.
// Root: offset 1, so byte c goes to unit 1 ^ c; each inner unit's offset is 1 (next node = its index ^ 1).

const LEAF = 1 << 8;
const inner = (label: number, leaf: boolean) => (1 << 10) | (leaf ? LEAF : 0) | label;
const value = (poolOffset: number) => (0x80000000 | poolOffset) >>> 0;

export const TINY_CHARSMAP_RULES = { A: 'a', B: '', 'ｒ': 'r' } as const;

export function tinyCharsmapBase64(): string {
  const units = new Uint32Array(240);
  units[0] = 1 << 10;
  // "A": 1 ^ 0x41 = 64, leaf at 64 ^ 1 = 65 -> pool 0 ("a").
  units[64] = inner(0x41, true);
  units[65] = value(0);
  // "B": 1 ^ 0x42 = 67, leaf at 66 -> pool 2 ("").
  units[67] = inner(0x42, true);
  units[66] = value(2);
  // "ｒ": 1 ^ 0xef = 238 -> node 239; 239 ^ 0xbd = 82 -> node 83; 83 ^ 0x92 = 193 (leaf) -> 192 -> pool 3 ("r").
  units[238] = inner(0xef, false);
  units[82] = inner(0xbd, false);
  units[193] = inner(0x92, true);
  units[192] = value(3);
  const pool = Buffer.from([0x61, 0, 0, 0x72, 0]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(units.byteLength);
  return Buffer.concat([size, Buffer.from(units.buffer), pool]).toString('base64');
}
