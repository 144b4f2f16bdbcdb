import { describe, expect, it } from 'vitest';
import { addTags, removeTag, sameTags, splitTagDraft } from './tag-input';

describe('tag editor input', () => {
  it('treats text before the last comma as finished tags', () => {
    expect(splitTagDraft('portrait')).toEqual({ complete: [], rest: 'portrait' });
    expect(splitTagDraft('portrait,')).toEqual({ complete: ['portrait'], rest: '' });
    expect(splitTagDraft(' a , ,b, c')).toEqual({ complete: ['a', 'b'], rest: ' c' });
  });

  it('normalises added tags the way the server stores them', () => {
    expect(addTags(['sprites'], ['#Portrait', '  Black   and White ', 'SPRITES'])).toEqual({
      ok: true, tags: ['sprites', 'portrait', 'black and white'],
    });
  });

  it('refuses a bad tag with the server schema message', () => {
    const r = addTags([], ['-dash']);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain('tag "-dash" must start with a letter or digit');
    const long = addTags([], ['x'.repeat(33)]);
    expect(long.ok).toBe(false);
  });

  it('refuses a 21st tag', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => `t${i}`);
    expect(addTags(twenty.slice(0, 19), ['t19'])).toEqual({ ok: true, tags: twenty });
    const r = addTags(twenty, ['one more']);
    expect(r).toEqual({ ok: false, error: 'a workflow has at most 20 tags' });
  });

  it('removes one tag and compares lists in order', () => {
    expect(removeTag(['a', 'b', 'c'], 'b')).toEqual(['a', 'c']);
    expect(sameTags(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(sameTags(['a', 'b'], ['b', 'a'])).toBe(false);
  });
});
