// Percent-decoding of what arrives in URLs and cookies, which anyone can garble (`%zz`): a broken escape names
// nothing, so callers answer "unknown" or "signed out" instead of letting a URIError become a 500.

/** `text` percent-decoded, or undefined when its escapes are broken. */
export function percentDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
