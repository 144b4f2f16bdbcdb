// HTML character references, decoded the way Python's html.unescape does (CLIP cleans prompts with
// it twice). Numeric references are complete; named ones cover Latin-1 plus common typography.

/** Latin-1 entity names for U+00A0..U+00FF, in code-point order. All of them also work without ';'. */
const LATIN1_NAMES = (
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 ' +
  'sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc ' +
  'Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve ' +
  'Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc ' +
  'atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve ' +
  'oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml'
).split(' ');

/** Names that HTML5 also accepts without the trailing semicolon ("&amp" == "&amp;"). */
const LEGACY = new Map<string, string>([
  ['amp', '&'], ['lt', '<'], ['gt', '>'], ['quot', '"'], ['AMP', '&'], ['LT', '<'], ['GT', '>'],
  ['QUOT', '"'], ['COPY', '\u00a9'], ['REG', '\u00ae'],
  ...LATIN1_NAMES.map((name, i) => [name, String.fromCharCode(0xa0 + i)] as [string, string]),
]);

/** Names valid only with ';'. */
const WITH_SEMICOLON = new Map<string, string>([
  ['apos', "'"], ['hellip', '\u2026'], ['mdash', '\u2014'], ['ndash', '\u2013'], ['lsquo', '\u2018'],
  ['rsquo', '\u2019'], ['sbquo', '\u201a'], ['ldquo', '\u201c'], ['rdquo', '\u201d'], ['bdquo', '\u201e'],
  ['bull', '\u2022'], ['trade', '\u2122'], ['euro', '\u20ac'], ['hearts', '\u2665'], ['star', '\u2606'],
  ['starf', '\u2605'], ['rarr', '\u2192'], ['larr', '\u2190'], ['uarr', '\u2191'], ['darr', '\u2193'],
  ['prime', '\u2032'], ['Prime', '\u2033'], ['dagger', '\u2020'], ['Dagger', '\u2021'], ['permil', '\u2030'],
  ['lsaquo', '\u2039'], ['rsaquo', '\u203a'], ['oelig', '\u0153'], ['OElig', '\u0152'], ['scaron', '\u0161'],
  ['Scaron', '\u0160'], ['Yuml', '\u0178'], ['fnof', '\u0192'], ['circ', '\u02c6'], ['tilde', '\u02dc'],
  ['ensp', '\u2002'], ['emsp', '\u2003'], ['thinsp', '\u2009'], ['zwnj', '\u200c'], ['zwj', '\u200d'],
  ['lrm', '\u200e'], ['rlm', '\u200f'], ['infin', '\u221e'], ['ne', '\u2260'], ['le', '\u2264'], ['ge', '\u2265'],
  ['alpha', '\u03b1'], ['beta', '\u03b2'], ['gamma', '\u03b3'], ['delta', '\u03b4'], ['pi', '\u03c0'],
  ['sigma', '\u03c3'], ['omega', '\u03c9'], ['mu', '\u03bc'], ['lambda', '\u03bb'], ['theta', '\u03b8'],
]);

/** Python maps these numeric references to Windows-1252 (0x80-0x9F) or fixed replacements. */
const CP1252 = '\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f' +
  '\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178';

/** Windows-1252 reading of a C1 control code point (0x80..0x9F); shared with the ftfy-like cleanup. */
export function cp1252Char(code: number): string {
  return CP1252[code - 0x80];
}

function isDroppedCodePoint(n: number): boolean {
  return (n >= 0x1 && n <= 0x8) || n === 0xb || (n >= 0xe && n <= 0x1f) || (n >= 0x7f && n <= 0x9f) ||
    (n >= 0xfdd0 && n <= 0xfdef) || (n & 0xfffe) === 0xfffe;
}

function numericReference(body: string): string {
  const hex = body[1] === 'x' || body[1] === 'X';
  const digits = body.slice(hex ? 2 : 1).replace(/;$/, '');
  const n = parseInt(digits, hex ? 16 : 10);
  if (n === 0) return '\ufffd';
  if (n === 0x0d) return '\r';
  if (n >= 0x80 && n <= 0x9f) return cp1252Char(n);
  if ((n >= 0xd800 && n <= 0xdfff) || n > 0x10ffff || !Number.isFinite(n)) return '\ufffd';
  if (isDroppedCodePoint(n)) return '';
  return String.fromCodePoint(n);
}

function namedReference(body: string): string {
  if (body.endsWith(';')) {
    const name = body.slice(0, -1);
    const hit = LEGACY.get(name) ?? WITH_SEMICOLON.get(name);
    if (hit !== undefined) return hit;
  } else if (LEGACY.has(body)) {
    return LEGACY.get(body)!;
  }
  // HTML5: the longest legacy name that prefixes the text ("&ampx" -> "&x").
  for (let len = body.length - 1; len > 1; len--) {
    const hit = LEGACY.get(body.slice(0, len));
    if (hit !== undefined) return hit + body.slice(len);
  }
  return '&' + body;
}

const CHAR_REF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g;

/** One pass of Python's html.unescape over `text`. */
export function unescapeHtml(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHAR_REF, (_m, body: string) =>
    body[0] === '#' ? numericReference(body) : namedReference(body),
  );
}

const STRICT_REF = /&#?[0-9A-Za-z]{1,24};/g;

/** ftfy's own pass: only complete `&name;` / `&#n;` references, and only those it knows. */
export function unescapeHtmlStrict(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(STRICT_REF, (ref) => {
    const decoded = unescapeHtml(ref);
    return decoded.includes(';') ? ref : decoded;
  });
}
