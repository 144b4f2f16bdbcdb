// Names of new copies in a library: never a second identical name beside the first ("Text to image 2"), and copies
// say what they are ("Text to image (fork)", "Poster (copy)"). Pure; the router passes the names already taken.

export const MAX_WORKFLOW_NAME = 200;

/** Compared as a person reads them: case and surrounding spaces do not make two names different. */
function key(name: string): string {
  return name.trim().toLowerCase();
}

/** `wanted` when no workflow has that name yet, else the first free "wanted 2", "wanted 3", … (within `max`). */
export function uniqueName(wanted: string, taken: Iterable<string>, max = MAX_WORKFLOW_NAME): string {
  const base = wanted.trim().slice(0, max);
  const used = new Set([...taken].map(key));
  if (!used.has(key(base))) return base;
  for (let n = 2; ; n++) {
    const suffix = ` ${n}`;
    const candidate = `${base.slice(0, max - suffix.length).trimEnd()}${suffix}`;
    if (!used.has(key(candidate))) return candidate;
  }
}

/**
 * The name of a fork or duplicate of `source`: "<name> (fork)" / "<name> (copy)", made unique. A copy of a copy keeps
 * one marker ("A (fork) (fork)" would say nothing more): its number tells the copies apart.
 */
export function copyName(source: string, kind: 'fork' | 'copy', taken: Iterable<string>, max = MAX_WORKFLOW_NAME): string {
  const marker = ` (${kind})`;
  const base = source.trim().replace(/ \((?:fork|copy)\)(?: \d+)?$/, '');
  return uniqueName(`${base.slice(0, max - marker.length).trimEnd()}${marker}`, taken, max);
}
