// The node types this browser added last (palette, quick-add, drop), most recent first, kept in localStorage
// so an empty node search offers them first.
const KEY = 'stepflow.recentNodes';
const KEEP = 6;

export function recentNodes(): string[] {
  try {
    const list: unknown = JSON.parse(window.localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(list) ? list.filter((t): t is string => typeof t === 'string').slice(0, KEEP) : [];
  } catch {
    return []; // no storage (private mode, server render) or a damaged entry: no recents
  }
}

export function rememberNode(type: string): void {
  try {
    window.localStorage.setItem(KEY, JSON.stringify([type, ...recentNodes().filter((t) => t !== type)].slice(0, KEEP)));
  } catch {
    // Storage full or blocked: the search simply has no recents.
  }
}
