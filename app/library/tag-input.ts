// Typing tags: what the tag editor's text box turns into, checked by the same schema the server applies
// (server/workflow-search.ts), so a bad tag is refused before it is sent, with the server's own words.
import { tagsSchema } from '../../server/workflow-search';

/** Text up to the last comma is finished tags; what follows is still being typed (pasting "a, b, c" adds a and b). */
export function splitTagDraft(draft: string): { complete: string[]; rest: string } {
  const parts = draft.split(',');
  const rest = parts.pop() ?? '';
  return { complete: parts.map((p) => p.trim()).filter(Boolean), rest };
}

export type TagChange = { ok: true; tags: string[] } | { ok: false; error: string };

/** The list after adding `typed` (normalised: lower case, no '#', no duplicates), or why it is refused. */
export function addTags(current: readonly string[], typed: readonly string[]): TagChange {
  const parsed = tagsSchema.safeParse([...current, ...typed]);
  if (parsed.success) return { ok: true, tags: parsed.data };
  return { ok: false, error: parsed.error.issues[0]?.message ?? 'those tags cannot be saved' };
}

export function removeTag(current: readonly string[], tag: string): string[] {
  return current.filter((t) => t !== tag);
}

export function sameTags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}
