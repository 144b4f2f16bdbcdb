// Library search and tags: one query box matches names and tags ("#portrait" or "tag:portrait" = tags only;
// quotes keep words together: "pixel art", #"pixel art").
import { z } from 'zod';

export const MAX_TAGS = 20;
const TAG = /^[a-z0-9][a-z0-9 ._+-]{0,31}$/;

/** A tag list as users type it: trimmed, lower-cased, de-duplicated, order kept. Bad tags are refused by name. */
export const tagsSchema = z
  .array(z.string())
  .max(MAX_TAGS, `a workflow has at most ${MAX_TAGS} tags`)
  .transform((tags, ctx) => {
    const out: string[] = [];
    for (const raw of tags) {
      const t = raw.trim().replace(/^#/, '').replace(/\s+/g, ' ').toLowerCase();
      if (!t) continue;
      if (!TAG.test(t)) {
        ctx.addIssue({ code: 'custom', message: `tag "${raw}" must start with a letter or digit and use at most 32 letters, digits, spaces or . _ + -` });
        continue;
      }
      if (!out.includes(t)) out.push(t);
    }
    return out;
  });

/** The stored JSON column; a damaged value reads as no tags rather than breaking the library. */
export function parseTags(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

interface Term { text: string; tagOnly: boolean }

/** Words, `"quoted phrases"`, and tag terms `#tag`, `tag:tag`, `#"tag with spaces"`. */
export function parseQuery(query: string): Term[] {
  const terms: Term[] = [];
  for (const m of query.toLowerCase().matchAll(/(#|tag:)?(?:"([^"]*)"?|(\S+))/g)) {
    const text = (m[2] ?? m[3] ?? '').replace(/\s+/g, ' ').trim();
    if (text) terms.push({ text, tagOnly: m[1] !== undefined });
  }
  return terms;
}

/** The search that finds one tag exactly as the library's tag chips ask for it. */
export function tagQuery(tag: string): string {
  return /\s/.test(tag) ? `#"${tag}"` : `#${tag}`;
}

/** Every term must match: a plain word in the name, description or a tag; a tag term a tag (prefix). */
export function matchesQuery(w: { name: string; description: string; tags: string[] }, query: string | undefined): boolean {
  if (!query?.trim()) return true;
  const name = `${w.name}\n${w.description}`.toLowerCase();
  return parseQuery(query).every((t) =>
    t.tagOnly ? w.tags.some((tag) => tag.startsWith(t.text)) : name.includes(t.text) || w.tags.some((tag) => tag.includes(t.text)));
}
