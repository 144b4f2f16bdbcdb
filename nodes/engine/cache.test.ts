import { describe, expect, it } from 'vitest';
import { NodeCache } from './cache';
import { valueBytes } from './values';

const entry = (bytes: number) => ({ outputs: { x: new Float32Array(bytes / 4) }, artifacts: [], bytes });

describe('NodeCache', () => {
  it('evicts least recently used entries once the byte budget is exceeded', () => {
    const c = new NodeCache(1000);
    c.set('a', entry(400));
    c.set('b', entry(400));
    expect(c.get('a')).toBeDefined(); // a is now more recent than b
    c.set('c', entry(400));
    expect(c.has('b')).toBe(false);
    expect(c.has('a')).toBe(true);
    expect(c.has('c')).toBe(true);
    expect(c.bytes).toBe(800);
    expect(c.evictions).toBe(1);
  });

  it('refuses an entry larger than the whole budget and keeps the rest', () => {
    const c = new NodeCache(1000);
    c.set('a', entry(400));
    expect(c.set('huge', entry(2000))).toBe(false);
    expect(c.has('a')).toBe(true);
    expect(c.bytes).toBe(400);
  });

  it('replacing a key does not double count', () => {
    const c = new NodeCache(1000);
    c.set('a', entry(400));
    c.set('a', entry(600));
    expect(c.bytes).toBe(600);
    expect(c.size).toBe(1);
  });

  it('counts hits and misses', () => {
    const c = new NodeCache(100);
    c.get('x');
    c.set('x', entry(8));
    c.get('x');
    expect([c.hits, c.misses]).toEqual([1, 1]);
  });
});

describe('valueBytes', () => {
  it('sums typed arrays reachable from a value', () => {
    expect(valueBytes({ samples: { data: new Float32Array(1000), dims: [1, 4, 10, 25] } })).toBe(4000);
  });

  it('counts a model (a class instance) as a fixed size without walking into it', () => {
    class Tokenizer {
      merges = Array.from({ length: 1000 }, (_, i) => [`a${i}`, `b${i}`]);
      table = new Float32Array(1_000_000);
    }
    expect(valueBytes({ clip: new Tokenizer() })).toBe(1024);
    expect(valueBytes({ samples: { data: new Float32Array(1000), dims: [1, 4, 10, 25] }, model: new Tokenizer() })).toBe(4000 + 1024);
  });
});
