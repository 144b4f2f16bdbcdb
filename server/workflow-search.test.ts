import { describe, expect, it } from 'vitest';
import { matchesQuery, parseQuery, parseTags, tagQuery, tagsSchema } from './workflow-search';

const portrait = { name: 'Portrait Upscale', description: 'refine then x4', tags: ['portrait', 'esrgan'] };
const sprites = { name: 'Sprites txt2img', description: '', tags: ['pixel art'] };

describe('library search', () => {
  it('matches every word against name, description and tags, case-insensitively', () => {
    expect(matchesQuery(portrait, 'portrait')).toBe(true);
    expect(matchesQuery(portrait, 'UPSCALE x4')).toBe(true);
    expect(matchesQuery(portrait, 'upscale sprites')).toBe(false);
    expect(matchesQuery(sprites, 'pixel')).toBe(true);
    expect(matchesQuery(sprites, '  ')).toBe(true);
  });

  it('restricts #tag and tag:tag terms to tags (prefix match)', () => {
    expect(parseQuery('#Port tag:es name')).toEqual([
      { text: 'port', tagOnly: true }, { text: 'es', tagOnly: true }, { text: 'name', tagOnly: false },
    ]);
    expect(matchesQuery(portrait, '#port')).toBe(true);
    expect(matchesQuery(portrait, 'tag:esr')).toBe(true);
    expect(matchesQuery(portrait, '#upscale')).toBe(false); // in the name, not a tag
    expect(matchesQuery(sprites, '#portrait')).toBe(false);
  });

  it('keeps quoted words together, so a tag with spaces is one term', () => {
    expect(parseQuery('#"Pixel  Art" "txt2img sprites" x')).toEqual([
      { text: 'pixel art', tagOnly: true }, { text: 'txt2img sprites', tagOnly: false }, { text: 'x', tagOnly: false },
    ]);
    const blackAndWhite = { name: 'Noir', description: '', tags: ['black and white'] };
    const lookalike = { name: 'Salt and white pepper', description: '', tags: ['black'] };
    expect(matchesQuery(blackAndWhite, tagQuery('black and white'))).toBe(true);
    expect(matchesQuery(lookalike, tagQuery('black and white'))).toBe(false);
    expect(matchesQuery(lookalike, '#black and white')).toBe(true); // unquoted, the words match separately
    expect(tagQuery('sdxl')).toBe('#sdxl');
    expect(tagQuery('pixel art')).toBe('#"pixel art"');
  });
});

describe('tags', () => {
  it('normalises what users type', () => {
    expect(tagsSchema.parse([' Portrait ', '#SDXL', 'portrait', '', 'pixel   art'])).toEqual(['portrait', 'sdxl', 'pixel art']);
  });

  it('refuses bad tags by name and too many tags', () => {
    const bad = tagsSchema.safeParse(['ok', '<script>']);
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0].message).toContain('tag "<script>"');
    expect(tagsSchema.safeParse(Array.from({ length: 21 }, (_, i) => `t${i}`)).success).toBe(false);
    expect(tagsSchema.safeParse(['x'.repeat(33)]).success).toBe(false);
  });

  it('reads a damaged column as no tags', () => {
    expect(parseTags('["a","b"]')).toEqual(['a', 'b']);
    expect(parseTags('not json')).toEqual([]);
    expect(parseTags('{"a":1}')).toEqual([]);
  });
});
