// Public surface of the text stack: CLIP tokenizer, its files, emphasis parsing and 77-token windows; T5's Unigram tokenizer.
export { ClipTokenizer, type WeightedEncoding } from './clip-tokenizer';
export {
  BUNDLED_CLIP_MERGES, loadHfTokenizerFolder, loadOpenAiMergesGz, writeHfTokenizerFiles,
} from './bpe-files';
export { type BpeVocab, TokenizerFileError, START_OF_TEXT, END_OF_TEXT } from './bpe-vocab';
export { parsePromptWeights, type PromptSegment, type WeightedText, type PromptBreak } from './prompt-weights';
export { packChunks, CLIP_CONTEXT_LENGTH, CHUNK_CONTENT_TOKENS, type TokenChunk, type ChunkSpecials } from './chunks';
export { cleanPromptText } from './text-clean';
export { bundledTokenizer, tokenizerForFolder } from './tokenizer-cache';
export { T5Tokenizer, type T5Encoding } from './t5-tokenizer';
