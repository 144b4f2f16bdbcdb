import { describe, expect, it } from 'vitest';
import { arrangeLayers, type ArrangedNode } from './arrange';

const n = (id: string, x: number, y: number, width = 200, height = 100): ArrangedNode => ({ id, position: { x, y }, width, height });
const e = (from: string, to: string) => ({ from: { node: from, output: 'o' }, to: { node: to, input: 'i' } });

describe('arrangeLayers', () => {
  it('puts nodes in columns by longest path, stacked by measured height in their old vertical order', () => {
    // ckpt feeds enc and sampler; enc feeds sampler: the sampler is two deep, not one.
    const nodes = [n('sampler', 0, 0, 300, 450), n('enc', 500, 900, 250, 120), n('ckpt', 40, 300), n('latent', 900, 100, 220, 80)];
    const at = arrangeLayers(nodes, [e('ckpt', 'enc'), e('ckpt', 'sampler'), e('enc', 'sampler'), e('latent', 'sampler')]);
    // From the old bounding box's corner (0, 0); column 0 holds what nothing feeds, latent (old y 100) above ckpt (300).
    expect(Object.fromEntries(at)).toEqual({
      latent: { x: 0, y: 0 },
      ckpt: { x: 0, y: 80 + 40 },
      enc: { x: 220 + 80, y: 0 },
      sampler: { x: 220 + 80 + 250 + 80, y: 0 },
    });
  });

  it('gives nodes in a loop the first column and keeps unconnected nodes where the column starts', () => {
    const at = arrangeLayers([n('a', 100, 50), n('b', 100, 400), n('c', 0, 0)], [e('a', 'b'), e('b', 'a')]);
    expect(Object.fromEntries(at)).toEqual({ c: { x: 0, y: 0 }, a: { x: 0, y: 140 }, b: { x: 0, y: 280 } });
    expect(arrangeLayers([], []).size).toBe(0);
  });

  it('leaves pinned nodes where they are and stacks the others around them', () => {
    // enc is pinned at (10, 200), where column 0's second row would go; it still makes the sampler two deep.
    const nodes = [n('ckpt', 0, 0), n('latent', 0, 500, 200, 80), { ...n('enc', 10, 200, 180, 120), pinned: true }, n('sampler', 700, 0, 300, 450)];
    const at = arrangeLayers(nodes, [e('ckpt', 'enc'), e('enc', 'sampler'), e('latent', 'sampler')]);
    expect(at.has('enc')).toBe(false);
    expect(Object.fromEntries(at)).toEqual({
      ckpt: { x: 0, y: 0 },
      // Below ckpt would be y 140, within a gap of enc (200..320): it goes a gap below enc instead.
      latent: { x: 0, y: 200 + 120 + 40 },
      // Column 1 is empty (its only node is pinned); column 2 starts after column 0's width, clear of enc (x ≤ 190).
      sampler: { x: 200 + 80, y: 0 },
    });
    expect(arrangeLayers([{ ...n('a', 5, 5), pinned: true }], []).size).toBe(0);
  });
});
