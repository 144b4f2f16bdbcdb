import { describe, expect, it } from 'vitest';
import { matchesSearch } from './node-search';

const resize = { type: 'resize', title: 'Resize Image', category: 'image' as const, description: 'Scales an image with a chosen kernel.' };

describe('node search', () => {
  it('matches every word anywhere, case-insensitively', () => {
    expect(matchesSearch(resize, 'RESIZE')).toBe(true);
    expect(matchesSearch(resize, 'image kernel')).toBe(true);
    expect(matchesSearch(resize, '  ')).toBe(true);
  });

  it('rejects when one word is missing', () => {
    expect(matchesSearch(resize, 'image latent')).toBe(false);
    expect(matchesSearch(resize, 'sampler')).toBe(false);
  });
});
