// Emphasis parsing against A1111's published examples (modules/prompt_parser.py doctests) and
// the edge cases users type.
import { describe, expect, it } from 'vitest';
import { parsePromptWeights, type PromptSegment } from './prompt-weights';

const pairs = (segments: PromptSegment[]) =>
  segments.map((s) => (s.kind === 'break' ? ['BREAK', -1] : [s.text, s.weight]));

describe('parsePromptWeights: A1111 doctest examples', () => {
  it('plain text', () => {
    expect(pairs(parsePromptWeights('normal text'))).toEqual([['normal text', 1]]);
  });
  it('(important) is x1.1', () => {
    expect(pairs(parsePromptWeights('an (important) word'))).toEqual([['an ', 1], ['important', 1.1], [' word', 1]]);
  });
  it('an unclosed bracket still applies', () => {
    expect(pairs(parsePromptWeights('(unbalanced'))).toEqual([['unbalanced', 1.1]]);
  });
  it('escaped brackets are literal', () => {
    expect(pairs(parsePromptWeights('\\(literal\\]'))).toEqual([['(literal]', 1]]);
  });
  it('adjacent runs with equal weight merge', () => {
    expect(pairs(parsePromptWeights('(unnecessary)(parens)'))).toEqual([['unnecessaryparens', 1.1]]);
  });
  it('the mixed example, bit for bit', () => {
    expect(pairs(parsePromptWeights('a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).'))).toEqual([
      ['a ', 1.0],
      ['house', 1.5730000000000004],
      [' ', 1.1],
      ['on', 1.0],
      [' a ', 1.1],
      ['hill', 0.55],
      [', sun, ', 1.1],
      ['sky', 1.4641000000000006],
      ['.', 1.1],
    ]);
  });
});

describe('parsePromptWeights: weights', () => {
  it('((word)) is 1.1 * 1.1 and [word] is 1 / 1.1', () => {
    expect(pairs(parsePromptWeights('((word))'))).toEqual([['word', 1.1 * 1.1]]);
    expect(parsePromptWeights('((word))')[0]).toMatchObject({ weight: 1.2100000000000002 });
    expect(pairs(parsePromptWeights('[word]'))).toEqual([['word', 1 / 1.1]]);
    expect(pairs(parsePromptWeights('[[word]]'))).toEqual([['word', (1 / 1.1) * (1 / 1.1)]]);
  });
  it('explicit weights, with spaces, signs and nesting', () => {
    expect(pairs(parsePromptWeights('(word:1.3)'))).toEqual([['word', 1.3]]);
    expect(pairs(parsePromptWeights('(word: 0.8 )'))).toEqual([['word', 0.8]]);
    expect(pairs(parsePromptWeights('(word:-1)'))).toEqual([['word', -1]]);
    expect(pairs(parsePromptWeights('(a (b:2) c)'))).toEqual([['a ', 1.1], ['b', 2 * 1.1], [' c', 1.1]]);
    expect(pairs(parsePromptWeights('[(cat:1.5)]'))).toEqual([['cat', 1.5 / 1.1]]);
  });
  it('a colon that is not a weight stays text', () => {
    // As in A1111, a trailing ":number)" is always read as a weight.
    expect(pairs(parsePromptWeights('(ratio 16:9)'))).toEqual([['ratio 16', 9]]);
    expect(pairs(parsePromptWeights('(a:b)'))).toEqual([['a:b', 1.1]]);
    expect(pairs(parsePromptWeights('time: 12:30'))).toEqual([['time: 12:30', 1]]);
  });
});

describe('parsePromptWeights: never throws on user text', () => {
  it('stray closers are literal text', () => {
    expect(pairs(parsePromptWeights('a) b] c'))).toEqual([['a) b] c', 1]]);
    expect(pairs(parsePromptWeights('word:1.2)'))).toEqual([['word:1.2)', 1]]);
  });
  it('unclosed square brackets and mixed nesting', () => {
    expect(pairs(parsePromptWeights('[dark'))).toEqual([['dark', 1 / 1.1]]);
    expect(pairs(parsePromptWeights('([a)]'))).toEqual([['a', 1.1 / 1.1]]);
  });
  it('a malformed number keeps its text and closes with x1.1', () => {
    expect(pairs(parsePromptWeights('(a:1.2.3)'))).toEqual([['a:1.2.3', 1.1]]);
    expect(pairs(parsePromptWeights('(a:.)'))).toEqual([['a:.', 1.1]]);
  });
  it('backslashes: \\\\ is one backslash, a lone one stays', () => {
    expect(pairs(parsePromptWeights('a\\\\b'))).toEqual([['a\\b', 1]]);
    expect(pairs(parsePromptWeights('a\\b\\'))).toEqual([['a\\b\\', 1]]);
  });
  it('empty prompt and bracket soup', () => {
    expect(pairs(parsePromptWeights(''))).toEqual([['', 1]]);
    expect(pairs(parsePromptWeights('()[]'))).toEqual([['', 1]]);
    expect(() => parsePromptWeights('((((((((]]]]:::)\\(')).not.toThrow();
  });
});

describe('parsePromptWeights: BREAK', () => {
  it('splits runs and swallows the spaces around it', () => {
    expect(pairs(parsePromptWeights('red hair BREAK blue sky'))).toEqual([['red hair', 1], ['BREAK', -1], ['blue sky', 1]]);
  });
  it('only as a whole upper-case word', () => {
    expect(pairs(parsePromptWeights('BREAKING news, break'))).toEqual([['BREAKING news, break', 1]]);
  });
  it('inside brackets still breaks, weights are kept around it', () => {
    expect(pairs(parsePromptWeights('(a BREAK b)'))).toEqual([['a', 1.1], ['BREAK', -1], ['b', 1.1]]);
  });
});
