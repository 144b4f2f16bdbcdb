import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledTokenizer, tokenizerForFolder } from './tokenizer-cache';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-tokcache-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('tokenizer cache', () => {
  it('shares one tokenizer per folder and rebuilds it when the files change', () => {
    const dir = path.join(tmp, 'tok');
    bundledTokenizer().writeHfFolder(dir);
    const a = tokenizerForFolder(dir);
    expect(tokenizerForFolder(dir)).toBe(a);
    // The astronaut prompt's ids (published CLIP reference) come from the cached instance.
    expect(a.tokenize('a photo of an astronaut riding a horse on mars')).toEqual(
      [49406, 320, 1125, 539, 550, 18376, 6765, 320, 4558, 525, 7496, 49407]);

    const merges = path.join(dir, 'merges.txt');
    const later = new Date(fs.statSync(merges).mtimeMs + 5000);
    fs.utimesSync(merges, later, later);
    const b = tokenizerForFolder(dir);
    expect(b).not.toBe(a);
    expect(tokenizerForFolder(dir)).toBe(b);
  });

  it('parses the bundled vocabulary once', () => {
    expect(bundledTokenizer()).toBe(bundledTokenizer());
  });
});
