// Prompt cleanup: Python html.unescape semantics and the ftfy steps CLIP relies on.
import { describe, expect, it } from 'vitest';
import { unescapeHtml } from './html-entities';
import { cleanPromptText, fixText } from './text-clean';

describe('unescapeHtml (Python html.unescape)', () => {
  it('named, decimal and hex references', () => {
    expect(unescapeHtml('a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#x27;')).toBe('a & b <c> "d" \'e\'');
    expect(unescapeHtml('caf&eacute; &copy; &hellip;')).toBe('caf\u00e9 \u00a9 \u2026');
  });
  it('legacy names work without ";" and as prefixes; unknown names stay', () => {
    expect(unescapeHtml('&amp &ampx &notit; &foo; &hellip')).toBe('& &x \u00acit; &foo; &hellip');
  });
  it('numeric edge cases follow the HTML5 table', () => {
    expect(unescapeHtml('&#0;&#x80;&#150;&#xD800;&#1114112;&#1;x')).toBe('\ufffd\u20ac\u2013\ufffd\ufffdx');
  });
  it('one pass only: double escapes need the second call', () => {
    expect(unescapeHtml('&amp;amp;')).toBe('&amp;');
    expect(unescapeHtml(unescapeHtml('&amp;amp;'))).toBe('&');
  });
});

describe('fixText (ftfy subset)', () => {
  it('uncurls quotes, expands ligatures and full-width forms', () => {
    expect(fixText('\u201chere\u2019s a test\u201d')).toBe('"here\'s a test"');
    expect(fixText('\ufb01ne \ufb02ow')).toBe('fine flow');
    expect(fixText('\uff28\uff49\uff01\u3000ok')).toBe('Hi! ok');
  });
  it('reads C1 controls as Windows-1252 (U+0085 becomes an ellipsis, as transformers notes)', () => {
    expect(fixText('wait\u0085')).toBe('wait\u2026');
  });
  it('drops control characters and terminal escapes, composes accents', () => {
    expect(fixText('a\u0000b\u200b\ufeffc\u001b[31mred\u001b[0m')).toBe('ab\u200bcred');
    expect(fixText('e\u0301')).toBe('\u00e9');
  });
});

describe('cleanPromptText', () => {
  it('lowercases, collapses Unicode whitespace and trims', () => {
    expect(cleanPromptText('  A\u00a0Photo\r\n\tOF\u2003a  CAT  ')).toBe('a photo of a cat');
  });
  it('unescapes entities (ftfy pass plus two html.unescape passes)', () => {
    expect(cleanPromptText('Tom &amp;amp; Jerry')).toBe('tom & jerry');
    expect(cleanPromptText('&lt;b&gt;bold&lt;/b&gt;')).toBe('<b>bold</b>');
  });
});
