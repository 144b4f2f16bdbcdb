// Prompt text cleanup before CLIP's pre-tokenizer, following openai/CLIP's basic_clean +
// whitespace_clean + lower(). ftfy.fix_text is reproduced for the fixes that change clean input;
// its mojibake repair (re-decoding text that was mis-decoded as Latin-1) is not attempted.
import { cp1252Char, unescapeHtml, unescapeHtmlStrict } from './html-entities';

/** Python's `regex` \s (Unicode White_Space), which CLIP's whitespace_clean collapses. */
const WHITESPACE_RUN = /\p{White_Space}+/gu;

// eslint-disable-next-line no-control-regex -- matching the ESC control character is the point
const ANSI_ESCAPE = /\u001b\[((?:\d|;)*)([a-zA-Z])/g;
const C1_CONTROLS = /[\u0080-\u009f]/g;
const LIGATURES = /[\u0132\u0133\u013f\u0140\u0149\u01c4-\u01cc\u01f1-\u01f3\ufb00-\ufb06]/g;
const WIDE_OR_HALF_WIDTH = /[\u3000\uff01-\uff5e\uff5f-\uff60\uff61-\uffdc\uffe8-\uffee]/g;
const CURLY_SINGLE = /[\u2018-\u201b]/g;
const CURLY_DOUBLE = /[\u201c-\u201f]/g;
const LINE_BREAKS = /\r\n|[\r\u2028\u2029]/g;
/** ftfy keeps tab, line feed, form feed and carriage return; these other controls are deleted. */
// eslint-disable-next-line no-control-regex -- deleting control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000e-\u001f\u007f\u206a-\u206f\ufeff\ufff9-\ufffc]/g;

/** The ftfy.fix_text steps (default settings) that matter for prompts, in ftfy's order. */
export function fixText(text: string): string {
  let t = text;
  // ftfy decodes entities itself only when the text does not look like HTML markup.
  if (!t.includes('<')) t = unescapeHtmlStrict(t);
  t = t.replace(ANSI_ESCAPE, '');
  t = t.replace(C1_CONTROLS, (c) => cp1252Char(c.charCodeAt(0)));
  t = t.replace(LIGATURES, (c) => c.normalize('NFKC'));
  t = t.replace(WIDE_OR_HALF_WIDTH, (c) => (c === '\u3000' ? ' ' : c.normalize('NFKC')));
  t = t.replace(CURLY_SINGLE, "'").replace(CURLY_DOUBLE, '"');
  t = t.replace(LINE_BREAKS, '\n');
  t = t.replace(CONTROL_CHARS, '');
  return t.normalize('NFC');
}

/** Full CLIP cleanup: the text the pre-tokenizer sees. */
export function cleanPromptText(text: string): string {
  const basic = unescapeHtml(unescapeHtml(fixText(text))).trim();
  return basic.replace(WHITESPACE_RUN, ' ').trim().toLowerCase();
}
