// Prompt emphasis syntax (A1111 / ComfyUI style): (text) x1.1, [text] /1.1, (text:1.3) x1.3, nesting
// multiplies, \( \) \[ \] \\ are literals, and BREAK starts a new 77-token chunk. Never throws.

export const ROUND_BRACKET_MULTIPLIER = 1.1;
export const SQUARE_BRACKET_MULTIPLIER = 1 / 1.1;

export interface WeightedText {
  kind: 'text';
  text: string;
  weight: number;
}
/** The BREAK keyword: the tokens after it begin a fresh chunk. */
export interface PromptBreak {
  kind: 'break';
}
export type PromptSegment = WeightedText | PromptBreak;

/**
 * Lexer in A1111's order: escapes, openers, an explicit weight that closes a round bracket,
 * closers, plain text runs, and a lone ':' (text). `\s*` around the number is accepted as in
 * current A1111.
 */
const ATTENTION_TOKEN = /\\[()[\]\\]|\(|\[|:\s*([+-]?[.\d]+)\s*\)|\)|\]|[^\\()[\]:]+|:|\\/g;
const BREAK_KEYWORD = /\s*\bBREAK\b\s*/;

/**
 * Splits a prompt into weighted text runs. Unclosed brackets apply their multiplier to the rest of
 * the prompt and stray closers are kept as literal text, as A1111 does. Two deliberate differences:
 * a lone backslash stays in the text (A1111 drops it), and BREAK inside brackets still breaks.
 */
export function parsePromptWeights(prompt: string): PromptSegment[] {
  const res: { text: string; weight: number; isBreak?: boolean }[] = [];
  const round: number[] = [];
  const square: number[] = [];
  const multiplyFrom = (start: number, multiplier: number) => {
    for (let p = start; p < res.length; p++) if (!res[p].isBreak) res[p].weight *= multiplier;
  };
  const pushText = (text: string) => {
    text.split(BREAK_KEYWORD).forEach((part, i) => {
      if (i > 0) res.push({ text: '', weight: 1, isBreak: true });
      res.push({ text: part, weight: 1 });
    });
  };

  for (const m of prompt.matchAll(ATTENTION_TOKEN)) {
    const token = m[0];
    const explicit = m[1];
    if (token.length === 2 && token[0] === '\\') {
      res.push({ text: token[1], weight: 1 });
    } else if (token === '(') {
      round.push(res.length);
    } else if (token === '[') {
      square.push(res.length);
    } else if (explicit !== undefined && round.length > 0) {
      const weight = Number(explicit);
      if (Number.isFinite(weight)) {
        multiplyFrom(round.pop()!, weight);
      } else {
        // "(a:1.2.3)": keep the odd number as text and close the bracket with the default.
        pushText(token.slice(0, token.lastIndexOf(')')));
        multiplyFrom(round.pop()!, ROUND_BRACKET_MULTIPLIER);
      }
    } else if (token === ')' && round.length > 0) {
      multiplyFrom(round.pop()!, ROUND_BRACKET_MULTIPLIER);
    } else if (token === ']' && square.length > 0) {
      multiplyFrom(square.pop()!, SQUARE_BRACKET_MULTIPLIER);
    } else {
      pushText(token);
    }
  }
  for (const start of round) multiplyFrom(start, ROUND_BRACKET_MULTIPLIER);
  for (const start of square) multiplyFrom(start, SQUARE_BRACKET_MULTIPLIER);

  const merged: PromptSegment[] = [];
  for (const r of res) {
    const last = merged[merged.length - 1];
    if (r.isBreak) merged.push({ kind: 'break' });
    else if (last?.kind === 'text' && last.weight === r.weight) last.text += r.text;
    else merged.push({ kind: 'text', text: r.text, weight: r.weight });
  }
  return merged.length > 0 ? merged : [{ kind: 'text', text: '', weight: 1 }];
}

/** Drops empty text runs; handy for display and tests. */
export function nonEmptySegments(segments: readonly PromptSegment[]): PromptSegment[] {
  return segments.filter((s) => s.kind === 'break' || s.text !== '');
}
