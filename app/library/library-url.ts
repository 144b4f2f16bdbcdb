// The library's address: which tab is open and what is searched live in the URL (?tab=&q=), so reload and
// back/forward restore them. Pure, so the mapping is tested without a browser.
import { tagQuery } from '../../server/workflow-search';

export const LIBRARY_TABS = ['mine', 'shared', 'explore', 'templates'] as const;
export type LibraryTab = (typeof LIBRARY_TABS)[number];
/** The server's AUTH mode (auth.me): 'none' is one user without accounts. */
export type AuthMode = 'none' | 'local';

export const TAB_LABELS: Record<LibraryTab, string> = {
  mine: 'Mine',
  shared: 'Shared with link',
  explore: 'Explore',
  templates: 'Templates',
};

/** Without accounts everything is the one user's: nothing is shared with them and nobody else publishes. */
export function tabsFor(auth: AuthMode): LibraryTab[] {
  return auth === 'none' ? ['mine', 'templates'] : [...LIBRARY_TABS];
}

/** The tab named in the URL when this server offers it, else Mine (old links, typos, tabs hidden under AUTH=none). */
export function resolveTab(raw: string | null | undefined, auth: AuthMode): LibraryTab {
  return tabsFor(auth).find((t) => t === raw) ?? 'mine';
}

/** `/?tab=…&q=…`; an empty search is left out so plain tab links stay short (spaces stay: the box shows them). */
export function libraryHref({ tab, q }: { tab: LibraryTab; q?: string }): string {
  const params = new URLSearchParams({ tab });
  if (q) params.set('q', q);
  return `/?${params.toString()}`;
}

/** What the server gets: nothing for a blank box (so the unfiltered list shares its cache with other pages). */
export function searchInput(q: string): { query: string } | undefined {
  const query = q.trim();
  return query ? { query } : undefined;
}

/** The search a tag chip starts: `#tag`, quoted when it has spaces so it finds that tag and nothing that merely shares its words. */
export function tagSearch(tag: string): string {
  return tagQuery(tag);
}

/** Arrow keys move along the tab list (wrapping), Home/End jump to its ends (WAI-ARIA tabs pattern). */
export function tabAfterKey(tabs: readonly LibraryTab[], current: LibraryTab, key: string): LibraryTab | null {
  const i = tabs.indexOf(current);
  if (i < 0 || tabs.length === 0) return null;
  switch (key) {
    case 'ArrowRight': return tabs[(i + 1) % tabs.length];
    case 'ArrowLeft': return tabs[(i - 1 + tabs.length) % tabs.length];
    case 'Home': return tabs[0];
    case 'End': return tabs[tabs.length - 1];
    default: return null;
  }
}
