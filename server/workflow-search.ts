// Library search and tags: one query box matches names and tags ("#portrait" or "tag:portrait" = tags only).
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

export function parseQuery(query: string): Term[] {
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => {
      const tag = w.match(/^(?:#|tag:)(.+)$/);
      return tag ? { text: tag[1], tagOnly: true } : { text: w, tagOnly: false };
    });
}

/** Every term must match: a plain word in the name, description or a tag; a tag term a tag (prefix). */
export function matchesQuery(w: { name: string; description: string; tags: string[] }, query: string | undefined): boolean {
  if (!query?.trim()) return true;
  const name = `${w.name}\n${w.description}`.toLowerCase();
  return parseQuery(query).every((t) =>
    t.tagOnly ? w.tags.some((tag) => tag.startsWith(t.text)) : name.includes(t.text) || w.tags.some((tag) => tag.includes(t.text)));
}
