// Unique names for new copies: numbering, case, copy markers and the length limit.
import { describe, expect, it } from 'vitest';
import { copyName, uniqueName } from './workflow-names';

describe('uniqueName', () => {
  it('keeps a free name and numbers a taken one from 2', () => {
    expect(uniqueName('Text to image', [])).toBe('Text to image');
    expect(uniqueName('Text to image', ['Text to image'])).toBe('Text to image 2');
    expect(uniqueName('Text to image', ['Text to image', 'Text to image 2', 'Text to image 4'])).toBe('Text to image 3');
  });

  it('treats names differing only in case or outer spaces as the same', () => {
    expect(uniqueName('  Sprites ', ['sprites'])).toBe('Sprites 2');
    expect(uniqueName('Sprites', ['SPRITES', 'sprites 2 '])).toBe('Sprites 3');
  });

  it('does not number a name that merely starts like a taken one', () => {
    expect(uniqueName('Text', ['Text to image'])).toBe('Text');
  });

  it('stays within the length limit, shortening the base for the number', () => {
    const long = 'x'.repeat(200);
    const name = uniqueName(long, [long]);
    expect(name).toHaveLength(200);
    expect(name.endsWith('x 2')).toBe(true);
    expect(uniqueName('abcdef', ['abcdef', 'abcd 2'], 6)).toBe('abcd 3');
  });
});

describe('copyName', () => {
  it('marks forks and duplicates, numbering repeats', () => {
    expect(copyName('Text to image', 'fork', ['Text to image'])).toBe('Text to image (fork)');
    expect(copyName('Text to image', 'fork', ['Text to image (fork)'])).toBe('Text to image (fork) 2');
    expect(copyName('Poster', 'copy', ['Poster'])).toBe('Poster (copy)');
  });

  it('a copy of a copy keeps one marker', () => {
    expect(copyName('Poster (copy)', 'copy', ['Poster (copy)'])).toBe('Poster (copy) 2');
    expect(copyName('Poster (copy) 2', 'fork', [])).toBe('Poster (fork)');
  });

  it('keeps the marker within the length limit', () => {
    const name = copyName('y'.repeat(200), 'fork', []);
    expect(name).toHaveLength(200);
    expect(name.endsWith(' (fork)')).toBe(true);
  });
});
